import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { LicenseEntity } from './license.entity';

/** DESIGN.md §6. */
export enum TraceAction {
  Unknown = 0,
  Activate = 1,
  Deactivate = 2,
  Validate = 3,
  FloatingRequest = 4,
  FloatingRelease = 5,
  Heartbeat = 6,
}

@Entity('license_traces')
@Index('license_traces_license_created_idx', ['licenseId', 'createdDate'])
@Index('license_traces_created_date_idx', ['createdDate'])
@Check('license_traces_action_check', '"action" BETWEEN 0 AND 6')
export class LicenseTraceEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 64, nullable: true }) clientIp: string | null;
  @Column({ type: 'varchar', length: 256, nullable: true }) clientId: string | null;
  @Column({ type: 'varchar', length: 256, nullable: true }) clientName: string | null;
  @Column({ type: 'varchar', length: 256, nullable: true }) machineId: string | null;
  @Column({ type: 'timestamptz', default: () => 'now()' }) createdDate: Date;
  @Column({ type: 'smallint', default: TraceAction.Unknown }) action: TraceAction;
  @Column({ type: 'varchar', length: 256, nullable: true }) geoLocation: string | null;
  @Column({ type: 'text', nullable: true }) meta: string | null;
  @Column({ type: 'int' }) licenseId: number;

  @ManyToOne(() => LicenseEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'license_id' })
  license: LicenseEntity;
}
