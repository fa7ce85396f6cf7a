import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRecorder } from '../../common/audit';
import { ResponseSealer } from '../../common/idempotency/response-sealing';
import { SYSTEM_ACTOR } from '../../common/request-context';
import { APP_CONFIG, AppConfig } from '../../config';
import { signatureHeader } from './webhook-signature';
import { sendWebhook } from './webhook-sender';
import { JOB_LOCKS, runExclusively } from '../log/exclusive-job';
import { DELIVERY_QUEUE, DeliveryJob, JOB_EXPIRE_SECONDS, QUEUE_SCHEMA, WebhookQueue } from './webhook-queue.service';
import { ClaimedDelivery, WebhooksRepository } from './webhooks.repository';

export const SECRET_SEALING_PURPOSE = 'webhook-secrets';

/** The wait before retry `n` (1-based): base, 2 × base, 4 × base, … */
export function retryDelaySeconds(baseSeconds: number, retry: number): number {
  return baseSeconds * 2 ** (retry - 1);
}

/**
 * The queue's worker: makes one attempt of a delivery, records its outcome on the delivery row and either
 * queues the next attempt (exponential backoff), or ends the delivery as succeeded or failed. A webhook whose
 * deliveries failed WEBHOOK_DISABLE_AFTER_FAILURES times in a row is disabled, with a webhook.disabled audit event.
 */
@Injectable()
export class WebhookDeliveryService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Webhooks');
  private readonly sealer: ResponseSealer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly repository: WebhooksRepository,
    private readonly queue: WebhookQueue,
    private readonly audit: AuditRecorder,
  ) {
    this.sealer = new ResponseSealer(config.signingMasterKey, SECRET_SEALING_PURPOSE);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.requeueOrphans();
    await this.queue.work(this.config.webhooks.pollSeconds, (job) =>
      this.attempt(job).catch((error: unknown) => {
        this.logger.warn(
          `Webhook delivery ${job.deliveryId} attempt ${job.attempt} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
        );
        throw error;
      }),
    );
  }

  /**
   * Queues the next attempt of every pending delivery that has none queued: a database restored from a backup
   * holds its deliveries but not the queue's schema, and without this they would stay pending for ever. One
   * instance does it (advisory lock); an attempt queued twice is still made once (claimAttempt).
   */
  async requeueOrphans(): Promise<number> {
    const outcome = await runExclusively(this.dataSource, JOB_LOCKS.webhookRequeue, async (manager) => {
      const orphans = await this.repository.pendingWithoutJob(manager, { schema: QUEUE_SCHEMA, queue: DELIVERY_QUEUE });
      const now = Date.now();
      for (const orphan of orphans) {
        const later = orphan.nextAttemptAt && orphan.nextAttemptAt.getTime() > now ? orphan.nextAttemptAt : undefined;
        await this.queue.send(manager, { deliveryId: orphan.id, attempt: orphan.attempts + 1 }, later);
      }
      return orphans.length;
    });
    const requeued = outcome.ran ? outcome.result : 0;
    if (requeued > 0)
      this.logger.log(
        `${requeued} pending webhook deliveries had no attempt queued (a database restored from a backup?): queued again`,
      );
    return requeued;
  }

  async attempt(job: DeliveryJob): Promise<void> {
    const delivery = await this.repository.claimAttempt(job.deliveryId, job.attempt, JOB_EXPIRE_SECONDS);
    if (!delivery) return;
    const result = delivery.enabled
      ? await this.post(delivery)
      : { ok: false, status: null, error: 'The webhook is disabled' };
    const outcome = { deliveryId: delivery.id, responseStatus: result.status, lastError: result.error };
    if (result.ok) {
      await this.repository.markSucceeded(outcome);
      return;
    }
    const { retryCount, retryBaseSeconds, disableAfterFailures } = this.config.webhooks;
    const retry = delivery.attempts;
    if (delivery.enabled && retry <= retryCount) {
      const nextAttemptAt = new Date(Date.now() + retryDelaySeconds(retryBaseSeconds, retry) * 1000);
      await this.dataSource.transaction(async (manager) => {
        await this.repository.markRetrying(manager, outcome, nextAttemptAt);
        await this.queue.send(manager, { deliveryId: delivery.id, attempt: delivery.attempts + 1 }, nextAttemptAt);
      });
      return;
    }
    await this.dataSource.transaction(async (manager) => {
      const disabled = await this.repository.markFailed(manager, outcome, disableAfterFailures);
      if (!disabled) return;
      await this.audit.record(manager, {
        action: 'webhook.disabled',
        entityType: 'webhook',
        entityId: disabled.webhookId,
        actor: SYSTEM_ACTOR,
        address: null,
        changes: {
          enabled: { from: true, to: false },
          consecutiveFailures: { from: disabled.consecutiveFailures - 1, to: disabled.consecutiveFailures },
        },
      });
      this.logger.warn(
        `Webhook ${disabled.webhookId} disabled after ${disabled.consecutiveFailures} failed deliveries in a row`,
      );
    });
  }

  private post(delivery: ClaimedDelivery) {
    const timestamp = Math.floor(Date.now() / 1000);
    const secret = this.sealer.open(delivery.secretEncrypted);
    return sendWebhook(
      delivery.url,
      delivery.payload,
      {
        'Licensing-Event-Id': delivery.eventId,
        'Licensing-Timestamp': String(timestamp),
        'Licensing-Signature': signatureHeader(secret, timestamp, delivery.payload),
      },
      this.config.webhooks.allowPrivateNetworks,
    );
  }
}
