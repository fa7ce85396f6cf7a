import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One event for one webhook, attempted until a 2xx or the last retry; written with plain SQL by the delivery worker. */
@Entity('webhook_deliveries')
@Index('webhook_deliveries_webhook_idx', ['webhookId', 'createdAt'])
@Index('webhook_deliveries_status_idx', ['webhookId', 'status'])
@Check('webhook_deliveries_status_check', `"status" IN ('pending', 'succeeded', 'failed')`)
export class WebhookDeliveryEntity {
  /** bigserial; pg answers bigint as text. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @ForeignKey('WebhookEntity', { onDelete: 'CASCADE' })
  @Column({ type: 'int' })
  webhookId: number;

  @Column({ type: 'uuid' })
  eventId: string;

  @Column({ type: 'varchar', length: 64 })
  eventType: string;

  /** The event document exactly as sent: a redelivery sends the same bytes, signed anew. */
  @Column({ type: 'text', select: false })
  payload: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: DeliveryStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'int', nullable: true })
  responseStatus: number | null;

  @Column({ type: 'varchar', length: 1024, nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  /** When the attempt under way was claimed; null between attempts. */
  @Column({ type: 'timestamptz', nullable: true, select: false })
  attemptStartedAt: Date | null;
}
