import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One machine a customer freed in the portal; the rows of the last 30 days bound the next deactivations. */
@Entity('portal_deactivations')
@Index('portal_deactivations_license_id_created_at_idx', ['licenseId', 'createdAt'])
export class PortalDeactivationEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @ForeignKey('LicenseEntity', { onDelete: 'CASCADE' })
  @Column({ type: 'int' })
  licenseId: number;

  @Column({ type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  machineId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
