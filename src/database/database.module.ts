import { Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config';
import { dataSourceOptions } from './data-source-options';
import { DatabaseServer, seconds } from './database-server';
import { useCursorSecret } from '../common/query/list-cursor';
import { useNamedStatements } from './named-statements';

/** Where an external database is, without its credentials: host:port/database. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

/** Connects, then applies pending migrations, printing one line per stage with its time. */
async function openDataSource(options: DataSourceOptions): Promise<DataSource> {
  const logger = new Logger('Database');
  const connecting = performance.now();
  const url = (options as { url?: string }).url ?? '';
  const dataSource = await new DataSource({ ...options, migrationsRun: false }).initialize();
  if (!DatabaseServer.isEmbedded(url)) {
    const [{ version }] = await dataSource.query<Array<{ version: string }>>(
      `SELECT current_setting('server_version') AS version`,
    );
    logger.log(
      `database: PostgreSQL ${version.split(' ')[0]} at ${describeDatabaseUrl(url)} connected in ${seconds(connecting)}`,
    );
  }
  if (!options.migrationsRun) return dataSource;
  const migrating = performance.now();
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  logger.log(
    applied.length
      ? `migrations: ${applied.length} applied in ${seconds(migrating)}`
      : `migrations: up to date (${dataSource.migrations.length}) in ${seconds(migrating)}`,
  );
  return dataSource;
}

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        useNamedStatements(config.database.namedStatements);
        // Every replica signs list cursors alike, so a page's nextCursor continues on any of them.
        useCursorSecret(config.auth.jwtSecret);
        return {
          ...dataSourceOptions(config, await DatabaseServer.resolveUrl(config), []),
          autoLoadEntities: true,
          migrationsRun: config.database.runMigrations,
          retryAttempts: 3,
          retryDelay: 1000,
        };
      },
      dataSourceFactory: (options) => {
        if (!options) throw new Error('The database options are missing');
        return openDataSource(options);
      },
    }),
  ],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(private readonly dataSource: DataSource) {}

  /** The pool closes before an embedded server stops, so no connection sees the server go away. */
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await DatabaseServer.stop();
  }
}
