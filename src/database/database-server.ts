import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig, ConfigurationError } from '../config';
import { EmbeddedPostgresServer, INVALID_PASSWORD } from './embedded-postgres';

export const EMBEDDED_DATABASE_NAME = 'licensing';

export const seconds = (since: number): string => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/**
 * The embedded cluster keeps the password it was made with; secrets.json holds it. When the file was lost (or
 * replaced), the start fails with what happened and how to get back, not with PostgreSQL's bare refusal.
 */
function passwordRefusal(error: unknown, config: AppConfig): ConfigurationError | undefined {
  if ((error as { code?: unknown } | null)?.code !== INVALID_PASSWORD) return undefined;
  const { file, created } = config.secrets;
  const why = created
    ? `${file} was created at this start, so it holds a new password, not the one the cluster was made with`
    : `the embeddedPgPassword in ${file} is not the one the cluster was made with`;
  return new ConfigurationError(
    `the embedded PostgreSQL in ${config.database.embedded.dir} refused its password: ${why}. ` +
      'Put back the secrets.json that was in use (it also holds the signing master key and the JWT secret); ' +
      'if it is lost for good, set the password of the cluster anew as the README says (Backups)',
  );
}

/**
 * Where the database lives: the configured DATABASE_URL, or an embedded PostgreSQL started here.
 * A single embedded server per process, stopped on shutdown, after the connection pool has closed.
 */
export class DatabaseServer {
  private static embedded?: EmbeddedPostgresServer;
  private static embeddedUrl?: Promise<string>;
  private static embeddedUrlValue?: string;
  /** Set by the admin CLI: use the embedded server of a running service rather than refusing. */
  static shareRunning = false;

  static async resolveUrl(config: AppConfig): Promise<string> {
    if (config.database.url) return config.database.url;
    this.embeddedUrl ??= this.startEmbedded(config);
    return this.embeddedUrl;
  }

  /** Whether a connection URL is the embedded server's (resolved by this process). */
  static isEmbedded(url: string): boolean {
    return this.embeddedUrlValue === url;
  }

  /** Whether this process runs the embedded server (and so stops it). */
  static get embeddedProcessId(): number | undefined {
    return this.embedded?.processId;
  }

  static async stop(): Promise<void> {
    const server = this.embedded;
    this.embedded = undefined;
    this.embeddedUrl = undefined;
    this.embeddedUrlValue = undefined;
    const pid = server?.processId;
    if (!server || pid === undefined) return;
    const logger = new Logger('Database');
    const started = performance.now();
    await server.stop();
    logger.log(`database: embedded PostgreSQL (pid ${pid}) stopped in ${seconds(started)}`);
  }

  /** A second Ctrl+C: the process exits now; PostgreSQL is asked to stop on its own (fast shutdown). */
  static stopNow(): void {
    this.embedded?.stopNow();
  }

  private static async startEmbedded(config: AppConfig): Promise<string> {
    const logger = new Logger('Database');
    const started = performance.now();
    const { dir, port } = config.database.embedded;
    const server = new EmbeddedPostgresServer({ ...config.database.embedded, logger, shareRunning: this.shareRunning });
    // The server stops itself when it refuses the password at start (it cannot be used).
    const report = await server.start().catch((error: unknown) => {
      throw passwordRefusal(error, config) ?? error;
    });
    this.embedded = server;
    const admin = new Client({ connectionString: server.url });
    await admin.connect();
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE_NAME]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${EMBEDDED_DATABASE_NAME}`);
    } finally {
      await admin.end();
    }
    const how = report.shared ? "the running service's" : report.created ? `new (data in ${dir})` : undefined;
    logger.log(
      `database: embedded PostgreSQL ${report.version} on 127.0.0.1:${port}${how ? `, ${how}` : ''}, ready in ${seconds(started)}`,
    );
    this.embeddedUrlValue = server.urlFor(EMBEDDED_DATABASE_NAME);
    return this.embeddedUrlValue;
  }
}
