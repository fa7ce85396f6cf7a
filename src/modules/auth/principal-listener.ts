import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Client, ClientConfig } from 'pg';
import { DataSource } from 'typeorm';
import { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import { PrincipalCache } from '../../common/auth';
import { APP_CONFIG, AppConfig } from '../../config';

/** Channel the triggers of migration PrincipalNotify1764300500000 notify on. */
export const PRINCIPALS_CHANNEL = 'licensing_principals';
/** The triggers that must exist for notifications to cover every change a principal depends on. */
export const PRINCIPAL_TRIGGERS = [
  'api_keys_notify_principals',
  'users_notify_principals',
  'user_roles_notify_principals',
  'roles_notify_principals',
];
/** application_name of the listening connection, as pg_stat_activity shows it. */
export const LISTENER_APPLICATION_NAME = 'licensing-server-principals';

const FIRST_RETRY_MS = 1_000;
const LAST_RETRY_MS = 30_000;
const HEARTBEAT_MS = 10_000;
const HEARTBEAT_TIMEOUT_MS = 5_000;

/**
 * Keeps the principal cache honest across instances: one dedicated connection (not from the pool)
 * LISTENs on `licensing_principals`, and every notification empties the cache. While that connection
 * is down the cache is empty and bypassed; it reconnects with backoff (1 s doubling to 30 s). A
 * heartbeat notices a connection that died silently.
 *
 * LISTEN needs a session of its own, which a transaction pooler (PgBouncer in transaction mode) does not give:
 * there the listener connects to DATABASE_DIRECT_URL. A pooler is assumed when DATABASE_NAMED_STATEMENTS is off;
 * without a direct URL the cache then stays off (every request looks its caller up) rather than miss a change.
 */
@Injectable()
export class PrincipalListener implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('PrincipalCache');
  private client?: Client;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  private retryDelayMs = FIRST_RETRY_MS;
  private inOutage = false;

  constructor(
    private readonly cache: PrincipalCache,
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get listening(): boolean {
    return this.cache.active;
  }

  /** Waits for the first attempt, so a started application normally caches from its first request. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.cache.configured) return;
    if (!this.config.database.namedStatements && !this.config.database.directUrl) {
      this.logger.warn(
        'DATABASE_NAMED_STATEMENTS=false without DATABASE_DIRECT_URL: LISTEN cannot work through a transaction pooler, so the principal cache is off; set DATABASE_DIRECT_URL to a direct connection to cache callers',
      );
      return;
    }
    await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.stopHeartbeat();
    const client = this.client;
    this.client = undefined;
    this.cache.setListening(false);
    await client?.end().catch(() => undefined);
  }

  /** DATABASE_DIRECT_URL, else the same server and database as the DataSource (DATABASE_URL or the embedded one). */
  private connectionConfig(): ClientConfig {
    const options = this.dataSource.options as PostgresDataSourceOptions;
    const common: ClientConfig = {
      application_name: LISTENER_APPLICATION_NAME,
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
      ssl: options.ssl as ClientConfig['ssl'],
    };
    if (this.config.database.directUrl) return { ...common, connectionString: this.config.database.directUrl };
    if (options.url) return { ...common, connectionString: options.url };
    return {
      ...common,
      host: options.host,
      port: options.port,
      user: options.username,
      password: typeof options.password === 'function' ? undefined : options.password,
      database: options.database,
    };
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client(this.connectionConfig());
    this.client = client;
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the connection was closed')));
    client.on('notification', (message) => {
      if (client === this.client && message.channel === PRINCIPALS_CHANNEL) this.cache.clear();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${PRINCIPALS_CHANNEL}`);
      const { rows } = await client.query<{ found: number }>(
        'SELECT count(*)::int AS found FROM pg_trigger WHERE tgname = ANY($1)',
        [PRINCIPAL_TRIGGERS],
      );
      if (rows[0].found < PRINCIPAL_TRIGGERS.length)
        throw new Error('the notification triggers are missing; apply the migrations');
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (client !== this.client) return; // shut down or lost meanwhile
    // Listening from here on: whatever changed before is either in the database or will be notified.
    this.cache.setListening(true);
    this.retryDelayMs = FIRST_RETRY_MS;
    if (this.inOutage) this.logger.log('Listening for principal changes again; caching resumed');
    this.inOutage = false;
    this.startHeartbeat(client);
  }

  /** Empties and bypasses the cache at once, then retries; warns once per outage. */
  private lost(client: Client, error: unknown): void {
    if (client !== this.client) return;
    this.client = undefined;
    this.cache.setListening(false);
    this.stopHeartbeat();
    client.end().catch(() => undefined);
    if (this.stopped) return;
    if (!this.inOutage) {
      this.inOutage = true;
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn(
        `Not listening for principal changes (${reason}); every request looks its caller up in the database until reconnected`,
      );
    }
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, LAST_RETRY_MS);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  private startHeartbeat(client: Client): void {
    let pending = false;
    this.heartbeatTimer = setInterval(() => {
      if (pending) return;
      pending = true;
      let timeout: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, reject) => {
        timeout = setTimeout(
          () => reject(new Error(`no answer to a heartbeat within ${HEARTBEAT_TIMEOUT_MS} ms`)),
          HEARTBEAT_TIMEOUT_MS,
        );
      });
      Promise.race([client.query('SELECT 1'), expired])
        .catch((error: unknown) => this.lost(client, error))
        .finally(() => {
          clearTimeout(timeout);
          pending = false;
        });
    }, HEARTBEAT_MS);
    this.heartbeatTimer.unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }
}
