import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiException } from '../../common/errors';
import { metricsRegistry } from '../../common/observability';
import { APP_CONFIG, AppConfig } from '../../config';
import { LicenseTokensService } from '../licenses/license-tokens.service';
import { DatabaseLogService } from '../log/database-log.service';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * GET /metrics: the counters and histograms the request path and the licensing services update (O(1), in
 * src/common/observability), plus gauges read when Prometheus scrapes: the pg pool's connections, the
 * database log's write queue, and the seats in use (one grouped count over license_tokens per scrape).
 */
@Injectable()
export class MetricsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Metrics');
  private readonly gaugeNames: string[] = [];
  private readonly tokenDigest?: Buffer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly tokens: LicenseTokensService,
    private readonly log: DatabaseLogService,
  ) {
    if (config.metricsToken) this.tokenDigest = digest(config.metricsToken);
  }

  onModuleInit(): void {
    const pool = () => (this.dataSource.driver as unknown as { master?: Pool }).master;
    const poolSize = this.config.database.poolSize;
    const log = this.log;
    const tokens = this.tokens;
    const logger = this.logger;
    this.gauge(
      'database_pool_connections',
      'PostgreSQL pool connections by state: total (open), idle, waiting (callers queued for a connection)',
      ['state'],
      function () {
        const current = pool();
        if (!current) return;
        this.set({ state: 'total' }, current.totalCount);
        this.set({ state: 'idle' }, current.idleCount);
        this.set({ state: 'waiting' }, current.waitingCount);
      },
    );
    this.gauge(
      'database_pool_max',
      'Largest number of connections the pool opens (DATABASE_POOL_SIZE)',
      [],
      function () {
        this.set(poolSize);
      },
    );
    this.gauge('log_write_queue_length', 'Database log entries waiting in memory to be written', [], function () {
      this.set(log.pendingCount);
    });
    this.gauge(
      'licensing_seats_in_use',
      'Live seats (unexpired activation and floating tokens) over all licenses, by kind',
      ['kind'],
      async function () {
        try {
          const counts = await tokens.countAllLive();
          this.set({ kind: 'activation' }, counts.activation);
          this.set({ kind: 'floating' }, counts.floating);
        } catch (error) {
          // The database being out of reach must not fail the whole scrape; the pool gauges tell why.
          logger.warn(`Seats in use not collected: ${error instanceof Error ? error.message : String(error)}`);
        }
      },
    );
  }

  onModuleDestroy(): void {
    for (const name of this.gaugeNames) metricsRegistry.removeSingleMetric(name);
  }

  /** text/plain; version=0.0.4: the exposition format Prometheus scrapes. */
  get contentType(): string {
    return metricsRegistry.contentType;
  }

  /** 401 unless METRICS_TOKEN is unset or the caller sent it as a Bearer token (compared in constant time). */
  authorize(authorization: string | undefined): void {
    if (!this.tokenDigest) return;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match || !timingSafeEqual(digest(match[1]), this.tokenDigest))
      throw ApiException.unauthorized('Send the metrics token (METRICS_TOKEN) as Authorization: Bearer <token>');
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return metricsRegistry.metrics();
  }

  private gauge<L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    collect: (this: Gauge<L>) => void | Promise<void>,
  ): void {
    // A second application in the same process (the tests) replaces the first one's gauges.
    metricsRegistry.removeSingleMetric(name);
    new Gauge({ name, help, labelNames, collect, registers: [metricsRegistry] });
    this.gaugeNames.push(name);
  }
}
