import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/**
 * An event that is not an audit event (those reach the outbox through the trigger on audit_events): a refused
 * seat, a swept seat, a license about to expire. `entityType`/`entityId` name the record the event's `data`
 * shows; `detail` adds what the record does not say (the seat counts, the swept token).
 */
export interface WebhookEventRecord {
  type: string;
  entityType: string;
  entityId: string | number;
  detail?: Record<string, unknown>;
}

/**
 * Inserts the outbox row only when an enabled webhook subscribes to the type (or to `*`): with no subscriber
 * the statement writes nothing. The trigger on audit_events makes the same test.
 */
export const INSERT_OUTBOX_EVENT = `INSERT INTO webhook_outbox (event_id, type, entity_type, entity_id, detail)
  SELECT gen_random_uuid(), $1::varchar, $2::varchar, $3::text, $4::jsonb
  WHERE EXISTS (SELECT 1 FROM webhooks WHERE enabled AND events && ARRAY[$1::text, '*'])`;

/**
 * Writes webhook events to the outbox (table webhook_outbox); the webhooks module moves committed rows to the
 * delivery queue. With a manager the row commits with that transaction, or not at all.
 */
@Injectable()
export class WebhookOutbox {
  constructor(private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, event: WebhookEventRecord): Promise<void> {
    await manager.query(INSERT_OUTBOX_EVENT, [
      event.type,
      event.entityType,
      String(event.entityId),
      event.detail ? JSON.stringify(event.detail) : null,
    ]);
  }

  /** An event that is not part of any write (a refusal); a failure to record it is the caller's to log. */
  recordAlone(event: WebhookEventRecord): Promise<void> {
    return this.record(this.dataSource.manager, event);
  }
}
