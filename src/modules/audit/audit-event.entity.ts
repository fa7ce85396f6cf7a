import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { AuditChanges } from '../../common/audit';
import type { ActorType } from '../../common/request-context';

/** Rows are written with plain SQL by AuditRecorder (src/common/audit), in the transaction of the change; the entity serves reads. */
@Entity('audit_events')
@Index('audit_events_created_at_idx', ['createdAt'])
@Index('audit_events_action_idx', ['action'])
@Index('audit_events_entity_idx', ['entityType', 'entityId'])
@Index('audit_events_actor_idx', ['actorType', 'actorId'])
export class AuditEventEntity {
  /** bigserial; pg answers bigint as text (toAuditEventDto makes it a number: ids stay below 2^53). */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'varchar', length: 64 })
  action: string;

  @Column({ type: 'varchar', length: 64 })
  entityType: string;

  @Column({ type: 'text', nullable: true })
  entityId: string | null;

  @Column({ type: 'varchar', length: 16 })
  actorType: ActorType;

  @Column({ type: 'text', nullable: true })
  actorId: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  actorName: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  address: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  requestId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  changes: AuditChanges | null;
}
