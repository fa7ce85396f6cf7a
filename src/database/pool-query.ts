import type { Pool, QueryConfig } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Runs one statement on the pool TypeORM manages, with pg options TypeORM does not pass on (a name
 * that prepares it once per connection, custom type parsers). Handed to TypeORM's logger as its own
 * queries are (the logger decides whether query logging is on). Never inside a transaction: use the
 * transaction's query runner there.
 */
export function queryPool<T>(dataSource: DataSource, config: QueryConfig): Promise<T[]> {
  dataSource.logger.logQuery(config.text, config.values);
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  // A then rather than an async function: on the client API's path every promise layer is a microtask turn.
  return pool.query(config).then((result) => result.rows as T[]);
}
