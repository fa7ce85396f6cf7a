import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Failed logins per client address in a fixed window that starts with the first failure. Written only
 * by LoginAttemptsRepository (one upsert per attempt); rows whose window is over are purged.
 */
@Entity('login_address_failures')
@Index('login_address_failures_window_started_at_idx', ['windowStartedAt'])
export class LoginAddressFailureEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  clientAddress: string;

  @Column({ type: 'timestamptz' })
  windowStartedAt: Date;

  @Column({ type: 'int' })
  failureCount: number;
}
