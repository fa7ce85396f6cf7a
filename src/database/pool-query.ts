import type { Pool, QueryConfig } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Runs one statement on the pool TypeORM manages, with pg options TypeORM does not pass on (a name
 * that prepares it once per connection, custom type parsers). Logged like TypeORM's own queries when
 * query logging is on. Never inside a transaction: use the transaction's query runner there.
 */
export async function queryPool<T>(dataSource: DataSource, config: QueryConfig): Promise<T[]> {
  const logging = dataSource.options.logging;
  if (logging === true || logging === 'all' || (Array.isArray(logging) && logging.includes('query'))) dataSource.logger.logQuery(config.text, config.values);
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const result = await pool.query(config);
  return result.rows as T[];
}
