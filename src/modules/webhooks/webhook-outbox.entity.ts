import { Column, Entity, ForeignKey, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Events committed with the writes that caused them and not yet moved to deliveries. Written with plain SQL (the
 * trigger on audit_events, WebhookOutbox in src/common/webhooks) and taken by WebhookRelayService; the entity
 * declares the table for the schema tools.
 */
@Entity('webhook_outbox')
export class WebhookOutboxEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  eventId: string;

  @Column({ type: 'varchar', length: 64 })
  type: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  entityType: string | null;

  @Column({ type: 'text', nullable: true })
  entityId: string | null;

  /** Set for an event meant for one webhook alone. */
  @ForeignKey('WebhookEntity', { onDelete: 'CASCADE' })
  @Column({ type: 'int', nullable: true })
  webhookId: number | null;

  @Column({ type: 'jsonb', nullable: true })
  detail: Record<string, unknown> | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
