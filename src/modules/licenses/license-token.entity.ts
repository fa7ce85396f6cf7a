import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { LicenseEntity } from './license.entity';

/** 1 an activation (binds a license to a machine), 2 a floating seat (held by heartbeat). */
export enum LicenseTokenKind {
  Activation = 1,
  Floating = 2,
}

@Entity('license_tokens')
export class LicenseTokenEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 128 }) token: string;
  @Column({ type: 'smallint' }) kind: LicenseTokenKind;
  @Column({ type: 'varchar', length: 64, nullable: true }) address: string | null;
  @Column({ type: 'varchar', length: 256, nullable: true }) clientId: string | null;
  @Column({ type: 'varchar', length: 256, nullable: true }) clientName: string | null;
  @Column({ type: 'varchar', length: 256, nullable: true }) machineId: string | null;
  @Column({ type: 'timestamptz' }) issueDate: Date;
  /** Null: lives until released (activations with Licensing.ActivationTokenDays = 0 on a license without expiry). */
  @Column({ type: 'timestamptz', nullable: true }) expireDate: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) lastHeartbeat: Date | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) hash: string | null;
  @Column({ type: 'int' }) licenseId: number;
  @Column({ type: 'int', nullable: true }) nodeLockedLicenseId: number | null;

  @ManyToOne(() => LicenseEntity, { onDelete: 'CASCADE', createForeignKeyConstraints: false })
  @JoinColumn({ name: 'license_id' })
  license: LicenseEntity;

  @ManyToOne(() => LicenseEntity, { onDelete: 'SET NULL', createForeignKeyConstraints: false })
  @JoinColumn({ name: 'node_locked_license_id' })
  nodeLockedLicense: LicenseEntity | null;
}
