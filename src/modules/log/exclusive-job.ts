import { Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** Advisory lock keys of the periodic jobs; one number per job, shared by every instance. */
export const JOB_LOCKS = {
  logPurge: 730_100_001,
  reportPurge: 730_100_002,
  auditPurge: 730_100_003,
  licenseExpiring: 730_100_004,
  webhookDeliveryPurge: 730_100_005,
  webhookRequeue: 730_100_006,
} as const;

/** How often the retention purges run, and the delay of the first run after start. */
export const PURGE_INTERVAL_MS = 60 * 60 * 1000;
export const FIRST_PURGE_DELAY_MS = 60 * 1000;
export const DAY_MS = 86_400_000;

/**
 * Runs `work` in a transaction holding a transaction-level advisory lock, or not at all when another
 * instance holds it: with several instances behind a load balancer, one of them purges.
 */
export async function runExclusively<T>(
  dataSource: DataSource,
  lockKey: number,
  work: (manager: EntityManager) => Promise<T>,
): Promise<{ ran: true; result: T } | { ran: false }> {
  return dataSource.transaction(async (manager) => {
    const [{ locked }] = await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [lockKey]);
    if (!locked) return { ran: false } as const;
    return { ran: true, result: await work(manager) } as const;
  });
}

/**
 * Deletes what is older than `retentionDays` through `deleteOlderThan`, on one instance at a time (see
 * runExclusively); answers how many rows went, 0 when another instance held the lock.
 */
export async function purgeOlderThan(
  dataSource: DataSource,
  lockKey: number,
  retentionDays: number,
  deleteOlderThan: (manager: EntityManager, cutoff: Date) => Promise<number>,
): Promise<number> {
  const cutoff = new Date(Date.now() - retentionDays * DAY_MS);
  const outcome = await runExclusively(dataSource, lockKey, (manager) => deleteOlderThan(manager, cutoff));
  return outcome.ran ? outcome.result : 0;
}

/** A periodic job on unref'd timers, stopped by `stop()` (called on module destroy). */
export class PeriodicJob {
  private firstRun?: NodeJS.Timeout;
  private interval?: NodeJS.Timeout;
  private readonly logger: Logger;

  constructor(
    name: string,
    private readonly run: () => Promise<unknown>,
  ) {
    this.logger = new Logger(name);
  }

  start(firstDelayMs = FIRST_PURGE_DELAY_MS, intervalMs = PURGE_INTERVAL_MS): void {
    const tick = () =>
      void this.run().catch((error: unknown) =>
        this.logger.warn(`Scheduled run failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    this.firstRun = setTimeout(tick, firstDelayMs);
    this.firstRun.unref();
    this.interval = setInterval(tick, intervalMs);
    this.interval.unref();
  }

  stop(): void {
    clearTimeout(this.firstRun);
    clearInterval(this.interval);
  }
}
