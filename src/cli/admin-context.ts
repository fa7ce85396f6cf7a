import { Injectable, LogLevel, OnApplicationShutdown, Type } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { INestApplicationContext } from '@nestjs/common';
import { userInfo } from 'node:os';
import { Client } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { ALL_MIGRATIONS } from '../../migrations';
import { runInRequestContext } from '../common/request-context';
import { AppConfig, AppConfigModule, ConfigurationError, loadConfiguration } from '../config';
import { dataSourceOptions } from '../database/data-source-options';
import { describeDatabaseUrl } from '../database/database.module';
import { DatabaseServer } from '../database/database-server';
import { AdminModule } from './admin.module';
import { CliError } from './cli-error';
import { StderrLogger } from './stderr-logger';

/** Importing the module reads the optional .env file, as at service start. */
void AppConfigModule;

export const CLI_LOG_LEVELS: ReadonlySet<LogLevel> = new Set(['log', 'warn', 'error', 'fatal']);

/**
 * What the commands share, opened on first use so that `--help` or a refused argument touches nothing: the
 * configuration (as the service reads it, migrations never run implicitly), the database (DATABASE_URL, or the
 * embedded PostgreSQL: started here and stopped at exit, or the running service's when it holds the data
 * folder), and the services of AdminModule. Everything opened is closed when the CLI exits.
 */
@Injectable()
export class AdminContext implements OnApplicationShutdown {
  private configuration?: AppConfig;
  private url?: Promise<string>;
  private services?: Promise<INestApplicationContext>;
  private readonly dataSources: DataSource[] = [];

  async config(): Promise<AppConfig> {
    if (this.configuration) return this.configuration;
    await ConfigModule.envVariablesLoaded;
    try {
      const loaded = loadConfiguration();
      this.configuration = { ...loaded, database: { ...loaded.database, runMigrations: false } };
    } catch (error) {
      if (error instanceof ConfigurationError) throw new CliError(`configuration: ${error.message}`);
      throw error;
    }
    return this.configuration;
  }

  /** The database's URL, once it answers; the embedded PostgreSQL is started (or shared) here. */
  async databaseUrl(): Promise<string> {
    this.url ??= this.connect();
    return this.url;
  }

  /** A service of AdminModule, the database migrated up to date (or a refusal saying to migrate). */
  async get<T>(type: Type<T>): Promise<T> {
    this.services ??= this.openServices();
    return (await this.services).get(type, { strict: false });
  }

  /** A data source of its own (migrations, backups), closed at exit; `overrides` for its entities or migrations. */
  async dataSource(overrides: Pick<DataSourceOptions, 'entities' | 'migrations'> = {}): Promise<DataSource> {
    const options = dataSourceOptions(await this.config(), await this.databaseUrl(), overrides.entities ?? []);
    const dataSource = new DataSource({
      ...options,
      ...(overrides.migrations ? { migrations: overrides.migrations } : {}),
      extra: { ...options.extra, max: 2 },
    });
    await dataSource.initialize();
    this.dataSources.push(dataSource);
    return dataSource;
  }

  /** Runs `work` as the admin CLI: audit events name it (and the system account running it) as their actor. */
  asCli<T>(work: () => Promise<T>): Promise<T> {
    const account = safeUserName();
    const actor = { type: 'system' as const, id: null, name: account ? `admin CLI (${account})` : 'admin CLI' };
    return runInRequestContext({ actor, address: null, requestId: null }, work);
  }

  async onApplicationShutdown(): Promise<void> {
    const services = this.services;
    this.services = undefined;
    if (services) await services.then((app) => app.close()).catch(() => undefined);
    for (const dataSource of this.dataSources.splice(0))
      if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    await DatabaseServer.stop();
  }

  private async connect(): Promise<string> {
    const config = await this.config();
    let url: string;
    try {
      url = await DatabaseServer.resolveUrl(config);
    } catch (error) {
      throw new CliError(`embedded PostgreSQL: ${message(error)}`);
    }
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
    } catch (error) {
      throw new CliError(`cannot connect to the database at ${describeDatabaseUrl(url)}: ${message(error)}`);
    } finally {
      await client.end().catch(() => undefined);
    }
    return url;
  }

  private async openServices(): Promise<INestApplicationContext> {
    const config = await this.config();
    await this.assertMigrated(await this.databaseUrl());
    return NestFactory.createApplicationContext(AdminModule.with(config), {
      logger: new StderrLogger(CLI_LOG_LEVELS),
      abortOnError: false,
    });
  }

  /** The commands work on the schema the code expects: a database behind it must be migrated first. */
  private async assertMigrated(url: string): Promise<void> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows: schema } = await client.query<{ found: boolean }>(
        `SELECT to_regclass('migrations') IS NOT NULL AS found`,
      );
      if (!schema[0].found)
        throw new CliError(
          `the database at ${describeDatabaseUrl(url)} has no schema yet: run "migrate run" (or start the service once)`,
        );
      const { rows } = await client.query<{ name: string }>('SELECT name FROM migrations');
      const applied = rows.map((row) => row.name);
      const known = new Set(applied);
      const pending = ALL_MIGRATIONS.map((migration) => migration.name).filter((name) => !known.has(name));
      if (pending.length)
        throw new CliError(
          `the database at ${describeDatabaseUrl(url)} lacks ${pending.length} migration(s) of this version (${pending[0]}…): run "migrate run" first`,
        );
    } finally {
      await client.end();
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function safeUserName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
