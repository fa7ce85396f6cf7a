import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { LicenseEntity } from './license.entity';

/** 1 an activation (binds a license to a machine), 2 a floating seat (held by heartbeat). */
export enum LicenseTokenKind {
  Activation = 1,
  Floating = 2,
}

@Entity('license_tokens')
@Index('license_tokens_token_unique', ['token'], { unique: true })
@Index('license_tokens_license_expire_idx', ['licenseId', 'expireDate'])
@Index('license_tokens_expire_date_idx', ['expireDate'])
@Index('license_tokens_machine_id_idx', ['machineId'])
@Index('license_tokens_node_locked_license_id_idx', ['nodeLockedLicenseId'])
@Check('license_tokens_kind_check', '"kind" IN (1, 2)')
export class LicenseTokenEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 128 }) token: string;
  @Column({ type: 'smallint' }) kind: LicenseTokenKind;
  @Column({ type: 'varchar', length: 64, nullable: true }) address: string | null;
  @Column({ type: 'varchar', length: 256, nullable: true }) clientId: string | null;
  @Column({ type: 'varchar', length: 256, nullable: true }) clientName: string | null;
  @Column({ type: 'varchar', length: 256, nullable: true }) machineId: string | null;
  @Column({ type: 'timestamptz', default: () => 'now()' }) issueDate: Date;
  /** Null: lives until released (activations with Licensing.ActivationTokenDays = 0 on a license without expiry). */
  @Column({ type: 'timestamptz', nullable: true }) expireDate: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) lastHeartbeat: Date | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) hash: string | null;
  @Column({ type: 'int' }) licenseId: number;
  @Column({ type: 'int', nullable: true }) nodeLockedLicenseId: number | null;

  @ManyToOne(() => LicenseEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'license_id' })
  license: LicenseEntity;

  @ManyToOne(() => LicenseEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'node_locked_license_id' })
  nodeLockedLicense: LicenseEntity | null;
}
