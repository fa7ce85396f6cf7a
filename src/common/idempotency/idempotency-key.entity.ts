import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One Idempotency-Key of one caller: claimed as `running` before the handler runs, then `completed` with the
 * answer it gave, or deleted when the handler refused or failed. Written only by IdempotencyRepository.
 */
@Entity('idempotency_keys')
@Index('idempotency_keys_expires_at_idx', ['expiresAt'])
export class IdempotencyKeyEntity {
  /** `user:<id>`, `apiKey:<id>` or `userKey:<SHA-256 of the user key>` for the client Licensing API. */
  @PrimaryColumn({ type: 'varchar', length: 100 })
  caller: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  idempotencyKey: string;

  /** Hex SHA-256 of method, path and body: a repeat must send the same request. */
  @Column({ type: 'char', length: 64 })
  requestHash: string;

  @Column({ type: 'varchar', length: 16 })
  state: 'running' | 'completed';

  @Column({ type: 'int', nullable: true })
  responseStatus: number | null;

  /** The handler's payload as JSON, before the envelope (which wraps it the same way on a replay). */
  @Column({ type: 'text', nullable: true })
  responseBody: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  /** A running claim lasts the request timeout, a completed answer the retention (IDEMPOTENCY_TTL_HOURS). */
  @Column({ type: 'timestamptz' })
  expiresAt: Date;
}
