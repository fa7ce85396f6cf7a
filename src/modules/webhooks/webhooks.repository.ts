import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Page, PageOptions, findPage } from '../../common/query';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookEntity } from './webhook.entity';
import { WEBHOOK_DELIVERY_QUERY, WEBHOOK_QUERY } from './webhooks.query';

/** An outbox row taken for relaying (deleted in the relay's transaction). */
export interface OutboxEvent {
  id: string;
  eventId: string;
  type: string;
  entityType: string | null;
  entityId: string | null;
  webhookId: number | null;
  detail: Record<string, unknown> | null;
  createdAt: Date;
}

/** A delivery whose attempt was just claimed, with what sending it needs. */
export interface ClaimedDelivery {
  id: string;
  webhookId: number;
  eventId: string;
  eventType: string;
  payload: string;
  attempts: number;
  url: string;
  secretEncrypted: string;
  enabled: boolean;
}

export interface AttemptOutcome {
  deliveryId: string;
  responseStatus: number | null;
  lastError: string | null;
}

@Injectable()
export class WebhooksRepository {
  constructor(
    @InjectRepository(WebhookEntity) private readonly webhooks: Repository<WebhookEntity>,
    @InjectRepository(WebhookDeliveryEntity) private readonly deliveries: Repository<WebhookDeliveryEntity>,
  ) {}

  findPage(options: PageOptions): Promise<Page<WebhookEntity>> {
    return findPage(this.webhooks.createQueryBuilder('webhook'), 'webhook', WEBHOOK_QUERY, options);
  }

  findById(id: number): Promise<WebhookEntity | null> {
    return this.webhooks.findOneBy({ id });
  }

  exists(id: number): Promise<boolean> {
    return this.webhooks.existsBy({ id });
  }

  /** Through save: the audit subscriber records webhook.created (its secret as "[redacted]") in the same transaction. */
  insert(
    webhook: Pick<WebhookEntity, 'url' | 'events' | 'enabled' | 'description' | 'secretEncrypted'>,
  ): Promise<WebhookEntity> {
    return this.webhooks.save(this.webhooks.create(webhook));
  }

  save(webhook: WebhookEntity): Promise<WebhookEntity> {
    return this.webhooks.save(webhook);
  }

  async delete(id: number, manager: EntityManager = this.webhooks.manager): Promise<boolean> {
    const result = await manager.delete(WebhookEntity, { id });
    return Boolean(result.affected);
  }

  findDeliveryPage(webhookId: number, options: PageOptions): Promise<Page<WebhookDeliveryEntity>> {
    const qb = this.deliveries.createQueryBuilder('delivery').where('delivery.webhookId = :webhookId', { webhookId });
    return findPage(qb, 'delivery', WEBHOOK_DELIVERY_QUERY, options);
  }

  /** Up to `limit` committed outbox rows, oldest first, deleted in `manager`'s transaction; rows other instances hold are skipped. */
  takeOutbox(manager: EntityManager, limit: number): Promise<OutboxEvent[]> {
    return manager.query(
      `WITH taken AS (
         DELETE FROM webhook_outbox WHERE id IN (
           SELECT id FROM webhook_outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id, event_id AS "eventId", type, entity_type AS "entityType", entity_id AS "entityId",
                   webhook_id AS "webhookId", detail, created_at AS "createdAt")
       SELECT * FROM taken ORDER BY id`,
      [limit],
    );
  }

  /** The enabled webhooks subscribed to `type` (or to `*`). */
  async subscribers(manager: EntityManager, type: string): Promise<number[]> {
    const rows: Array<{ id: number }> = await manager.query(
      `SELECT id FROM webhooks WHERE enabled AND events && ARRAY[$1::text, '*'] ORDER BY id`,
      [type],
    );
    return rows.map((row) => row.id);
  }

  /** One delivery row per webhook for the event; their ids in the order of `webhookIds`. */
  async insertDeliveries(
    manager: EntityManager,
    event: { eventId: string; eventType: string; payload: string; webhookIds: number[] },
  ): Promise<Array<{ id: string; webhookId: number }>> {
    return manager.query(
      `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload, next_attempt_at)
       SELECT w, $2, $3, $4, now() FROM unnest($1::int[]) AS w
       RETURNING id, webhook_id AS "webhookId"`,
      [event.webhookIds, event.eventId, event.eventType, event.payload],
    );
  }

  /**
   * Pending deliveries with no live job of `queue` in the queue's tables (`schema`): none was ever queued for them
   * there, as after a restore from a backup, which leaves the queue's schema out. Oldest first.
   */
  async pendingWithoutJob(
    manager: EntityManager,
    { schema, queue }: { schema: string; queue: string },
  ): Promise<Array<{ id: string; attempts: number; nextAttemptAt: Date | null }>> {
    return manager.query(
      `SELECT d.id, d.attempts, d.next_attempt_at AS "nextAttemptAt"
         FROM webhook_deliveries d
        WHERE d.status = 'pending'
          AND NOT EXISTS (SELECT 1 FROM ${schema}.job j
                           WHERE j.name = $1 AND j.data->>'deliveryId' = d.id::text
                             AND j.state IN ('created', 'retry', 'active'))
        ORDER BY d.id`,
      [queue],
    );
  }

  /**
   * Claims attempt number `attempt` of a pending delivery: counts it, so that a job run twice (a second instance, a
   * redelivery racing a scheduled retry) never sends the same attempt twice. The same attempt is claimed again only
   * when its claim is older than `lostAfterSeconds`: its instance died while sending it and pg-boss runs the expired
   * job again. Undefined when the attempt was made or is under way, or the delivery is over.
   */
  async claimAttempt(
    deliveryId: string,
    attempt: number,
    lostAfterSeconds: number,
  ): Promise<ClaimedDelivery | undefined> {
    const rows: ClaimedDelivery[] = await this.deliveries.manager.query(
      `WITH claimed AS (
         UPDATE webhook_deliveries d SET attempts = $2, attempt_started_at = now(), next_attempt_at = NULL
           FROM webhooks w
          WHERE d.id = $1 AND d.status = 'pending' AND w.id = d.webhook_id
            AND (d.attempts = $2 - 1
                 OR (d.attempts = $2 AND d.attempt_started_at < now() - make_interval(secs => $3)))
         RETURNING d.id, d.webhook_id AS "webhookId", d.event_id AS "eventId", d.event_type AS "eventType", d.payload,
                   d.attempts, w.url, w.secret_encrypted AS "secretEncrypted", w.enabled)
       SELECT * FROM claimed`,
      [deliveryId, attempt, lostAfterSeconds],
    );
    return rows[0];
  }

  /** A 2xx: the delivery is done and the webhook's run of failures ends. */
  async markSucceeded(outcome: AttemptOutcome): Promise<void> {
    await this.deliveries.manager.query(
      `WITH done AS (
         UPDATE webhook_deliveries SET status = 'succeeded', response_status = $2, last_error = NULL, delivered_at = now(),
                attempt_started_at = NULL
          WHERE id = $1 RETURNING webhook_id)
       UPDATE webhooks SET consecutive_failures = 0 WHERE id IN (SELECT webhook_id FROM done) AND consecutive_failures <> 0`,
      [outcome.deliveryId, outcome.responseStatus],
    );
  }

  /** A failed attempt with another to come at `nextAttemptAt`; runs in the transaction that queues that attempt. */
  async markRetrying(manager: EntityManager, outcome: AttemptOutcome, nextAttemptAt: Date): Promise<void> {
    await manager.query(
      `UPDATE webhook_deliveries SET response_status = $2, last_error = $3, next_attempt_at = $4, attempt_started_at = NULL
        WHERE id = $1`,
      [outcome.deliveryId, outcome.responseStatus, outcome.lastError?.slice(0, 1024) ?? null, nextAttemptAt],
    );
  }

  /**
   * The last attempt failed: the delivery is failed and the webhook's failures in a row counted. Answers the
   * webhook when this failure disabled it (it reached `disableAfter` while enabled).
   */
  async markFailed(
    manager: EntityManager,
    outcome: AttemptOutcome,
    disableAfter: number,
  ): Promise<{ webhookId: number; consecutiveFailures: number } | undefined> {
    const rows: Array<{ webhookId: number; consecutiveFailures: number }> = await manager.query(
      `WITH failed AS (
         UPDATE webhook_deliveries SET status = 'failed', response_status = $2, last_error = $3, next_attempt_at = NULL,
                attempt_started_at = NULL
          WHERE id = $1 RETURNING webhook_id),
       counted AS (
         UPDATE webhooks w SET consecutive_failures = w.consecutive_failures + 1,
                enabled = w.enabled AND w.consecutive_failures + 1 < $4
           FROM failed f, webhooks before WHERE w.id = f.webhook_id AND before.id = w.id
         RETURNING w.id, w.consecutive_failures, w.enabled, before.enabled AS was_enabled)
       SELECT id AS "webhookId", consecutive_failures AS "consecutiveFailures" FROM counted WHERE was_enabled AND NOT enabled`,
      [outcome.deliveryId, outcome.responseStatus, outcome.lastError?.slice(0, 1024) ?? null, disableAfter],
    );
    return rows[0];
  }

  /** Makes a finished delivery pending again for attempt `attempts + 1`; false when it is still pending or unknown. */
  async reopen(
    manager: EntityManager,
    webhookId: number,
    deliveryId: string,
  ): Promise<{ attempt: number } | undefined> {
    const rows: Array<{ attempts: number }> = await manager.query(
      `WITH reopened AS (
         UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), delivered_at = NULL
          WHERE id = $1 AND webhook_id = $2 RETURNING attempts)
       SELECT attempts FROM reopened`,
      [deliveryId, webhookId],
    );
    return rows[0] ? { attempt: rows[0].attempts + 1 } : undefined;
  }

  async deliveryExists(webhookId: number, deliveryId: string): Promise<boolean> {
    return this.deliveries.existsBy({ id: deliveryId, webhookId });
  }

  async isSubscribed(type: string): Promise<boolean> {
    const rows: unknown[] = await this.webhooks.manager.query(
      `SELECT 1 FROM webhooks WHERE enabled AND events && ARRAY[$1::text, '*'] LIMIT 1`,
      [type],
    );
    return rows.length > 0;
  }

  /**
   * Outbox rows for the licenses expiring within `days` not yet announced for that expiry date (node-locked copies,
   * which activations issue, are left out: their license is the one announced). How many were queued.
   */
  async queueExpiring(manager: EntityManager, days: number): Promise<number> {
    const rows: Array<{ count: number }> = await manager.query(
      `WITH due AS (
         SELECT l.id, l.expire_date FROM licenses l
          WHERE l.expire_date > now() AND l.expire_date <= now() + make_interval(days => $1) AND NOT l.revoked
            AND NOT EXISTS (SELECT 1 FROM license_tokens t WHERE t.node_locked_license_id = l.id)
       ), noted AS (
         INSERT INTO license_expiry_notices AS n (license_id, expire_date) SELECT id, expire_date FROM due
         ON CONFLICT (license_id) DO UPDATE SET expire_date = EXCLUDED.expire_date
           WHERE n.expire_date IS DISTINCT FROM EXCLUDED.expire_date
         RETURNING license_id, expire_date
       ), queued AS (
         INSERT INTO webhook_outbox (event_id, type, entity_type, entity_id, detail)
         SELECT gen_random_uuid(), 'license.expiring', 'license', license_id::text,
                jsonb_build_object('expiring', jsonb_build_object('expireDate', expire_date, 'noticeDays', $1::int))
           FROM noted
         RETURNING 1
       )
       SELECT count(*)::int AS count FROM queued`,
      [days],
    );
    return rows[0]?.count ?? 0;
  }

  /** Finished deliveries created before `cutoff`; runs in the purge's transaction (which holds its advisory lock). */
  async deleteFinishedBefore(manager: EntityManager, cutoff: Date): Promise<number> {
    const rows: Array<{ count: number }> = await manager.query(
      `WITH deleted AS (DELETE FROM webhook_deliveries WHERE created_at < $1 AND status <> 'pending' RETURNING 1)
       SELECT count(*)::int AS count FROM deleted`,
      [cutoff],
    );
    return rows[0]?.count ?? 0;
  }
}
