import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('webhooks')
// A GIN index over the subscribed events of enabled webhooks (the outbox trigger's lookup); TypeORM cannot declare it.
@Index('webhooks_events_idx', { synchronize: false })
export class WebhookEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  /** Event types (`license.created`), or `*` for all. */
  @Column({ type: 'text', array: true })
  events: string[];

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ type: 'varchar', length: 512, nullable: true })
  description: string | null;

  /** The signing secret, AES-256-GCM under a key derived from SIGNING_MASTER_KEY; shown in plain text once, by insert. */
  @Column({ type: 'text', select: false })
  secretEncrypted: string;

  /** Deliveries failed in a row; the webhook is disabled when it reaches WEBHOOK_DISABLE_AFTER_FAILURES. */
  @Column({ type: 'int', default: 0 })
  consecutiveFailures: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdDate: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedDate: Date;
}
