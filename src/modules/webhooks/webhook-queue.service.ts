import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import PgBoss from 'pg-boss';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config';

export const DELIVERY_QUEUE = 'webhook-delivery';
/** pg-boss keeps its tables in a schema of its own, which it creates and upgrades at start. */
export const QUEUE_SCHEMA = 'pgboss';

/** One attempt of one delivery. */
export interface DeliveryJob {
  deliveryId: string;
  attempt: number;
}

/** Longer than an attempt can take (the 10 s receiver timeout): a job active longer was lost with its instance. */
export const JOB_EXPIRE_SECONDS = 30;
/** Jobs a worker fetches at once and attempts in parallel. */
const WORK_BATCH = 16;

/**
 * The delivery queue: pg-boss on the service's PostgreSQL. A queued attempt is a row there, so it survives a
 * restart, and pg-boss hands each job to one worker of one instance at a time. Jobs are sent in the caller's
 * transaction (`send(manager, …)`): the attempt is queued when, and only when, the delivery row commits.
 */
@Injectable()
export class WebhookQueue implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private readonly boss: PgBoss;
  private workerId?: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig, dataSource: DataSource) {
    const url = config.database.directUrl ?? (dataSource.options as { url?: string }).url;
    this.boss = new PgBoss({
      connectionString: url,
      schema: QUEUE_SCHEMA,
      max: 3,
      application_name: 'licensing-webhooks',
      schedule: false,
      supervise: true,
      migrate: true,
    });
    this.boss.on('error', (error: Error) => this.logger.warn(`Delivery queue: ${error.message}`));
  }

  async onModuleInit(): Promise<void> {
    await this.boss.start();
    // Retries are the delivery worker's (its own backoff and row); pg-boss only re-runs a job its instance lost.
    await this.boss.createQueue(DELIVERY_QUEUE, {
      retryLimit: 3,
      retryDelay: JOB_EXPIRE_SECONDS,
      expireInSeconds: JOB_EXPIRE_SECONDS,
    });
  }

  /** Waits for the attempts under way (each ends within the receiver timeout), then closes the queue's pool. */
  async onModuleDestroy(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 12_000 });
  }

  async send(manager: EntityManager, job: DeliveryJob, startAfter?: Date): Promise<void> {
    const runner = manager.queryRunner;
    if (!runner) throw new Error('WebhookQueue.send runs in a transaction');
    const db = {
      executeSql: async (text: string, values: unknown[]) => ({
        rows: (await runner.query(text, values, true)).records as unknown[],
      }),
    };
    await this.boss.send(DELIVERY_QUEUE, { ...job }, { db, ...(startAfter ? { startAfter } : {}) });
  }

  /**
   * Runs `handle` for the queue's jobs, WORK_BATCH at a time, attempts in parallel. pg-boss waits the polling interval
   * after every fetch; after a full batch the worker is told to fetch again at once, so that a backlog drains as fast
   * as receivers answer rather than WORK_BATCH per interval.
   */
  async work(pollSeconds: number, handle: (job: DeliveryJob) => Promise<void>): Promise<void> {
    this.workerId = await this.boss.work<DeliveryJob>(
      DELIVERY_QUEUE,
      { batchSize: WORK_BATCH, pollingIntervalSeconds: pollSeconds },
      async (jobs) => {
        if (jobs.length === WORK_BATCH) this.wake();
        await Promise.all(jobs.map((job) => handle(job.data)));
      },
    );
  }

  /** Attempts were queued here: this instance's worker fetches now instead of at its next poll. */
  wake(): void {
    if (this.workerId) this.boss.notifyWorker(this.workerId);
  }
}
