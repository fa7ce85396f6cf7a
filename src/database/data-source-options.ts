import { DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config';
import { ALL_MIGRATIONS } from '../../migrations';
import { SnakeNamingStrategy } from './snake-naming.strategy';

/**
 * One definition of how we talk to PostgreSQL, shared by the application, the migration CLI and the
 * tests. Schema changes only ever come from migrations.
 */
export function dataSourceOptions(
  config: AppConfig,
  url: string,
  entities: DataSourceOptions['entities'],
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    logging: config.database.logQueries ? 'all' : ['error', 'warn', 'migration'],
    // At or below `min` the pool arms no idle timer when a connection comes back: without it every query paid a
    // setTimeout and a clearTimeout, and a steady load kept reopening the connections a lull had closed.
    extra: {
      max: config.database.poolSize,
      min: config.database.poolMinimum,
      application_name: 'licensing-server',
    },
  };
}
