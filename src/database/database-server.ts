import { Logger } from '@nestjs/common';
import { AppConfig } from '../config';
import { EmbeddedPostgresServer } from './embedded-postgres';

export const EMBEDDED_DATABASE_NAME = 'licensing';

/**
 * Where the database lives: the configured DATABASE_URL, or an embedded PostgreSQL started here.
 * A single embedded server per process, stopped on shutdown.
 */
export class DatabaseServer {
  private static embedded?: EmbeddedPostgresServer;
  private static embeddedUrl?: Promise<string>;

  static async resolveUrl(config: AppConfig): Promise<string> {
    if (config.database.url) return config.database.url;
    this.embeddedUrl ??= this.startEmbedded(config);
    return this.embeddedUrl;
  }

  static async stop(): Promise<void> {
    const server = this.embedded;
    this.embedded = undefined;
    this.embeddedUrl = undefined;
    await server?.stop();
  }

  private static async startEmbedded(config: AppConfig): Promise<string> {
    const logger = new Logger('EmbeddedPostgres');
    const server = new EmbeddedPostgresServer({ ...config.database.embedded, logger });
    await server.start();
    this.embedded = server;
    logger.log(
      `Embedded PostgreSQL running on 127.0.0.1:${config.database.embedded.port} (data in ${config.database.embedded.dir})`,
    );
    const client = server.url;
    const { Client } = await import('pg');
    const admin = new Client({ connectionString: client });
    await admin.connect();
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE_NAME]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${EMBEDDED_DATABASE_NAME}`);
    } finally {
      await admin.end();
    }
    return server.urlFor(EMBEDDED_DATABASE_NAME);
  }
}
