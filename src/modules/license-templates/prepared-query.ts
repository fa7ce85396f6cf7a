import { DataSource, QueryFailedError } from 'typeorm';
import { statementName } from '../../database/named-statements';

/**
 * Runs `text` as a named prepared statement: PostgreSQL parses and plans it once per connection
 * instead of on every call, which on license generation's lookups more than halves their cost.
 * For fixed statements on hot paths only; `name` must be unique to `text` (DATABASE_NAMED_STATEMENTS=false sends
 * it unnamed). Errors come back as
 * TypeORM's QueryFailedError, so the global filter maps them as it maps any other query's.
 */
export async function queryPrepared<T>(
  dataSource: DataSource,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const runner = dataSource.createQueryRunner();
  try {
    const client = (await runner.connect()) as {
      query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: T[] }>;
    };
    return (await client.query({ name: statementName(name), text, values })).rows;
  } catch (error) {
    if (error instanceof Error && 'code' in error && !(error instanceof QueryFailedError))
      throw new QueryFailedError(text, values, error);
    throw error;
  } finally {
    await runner.release();
  }
}
