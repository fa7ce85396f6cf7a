import { Column, Entity, Generated, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';

/** What a client application submitted: an exception report, a license report, … */
@Entity('reports')
@Index('reports_uid_unique', ['uid'], { unique: true })
@Index('reports_date_idx', ['date'])
@Index('reports_name_idx', ['name'])
@Index('reports_user_key_idx', ['userKey'])
@Index('reports_machine_id_idx', ['machineId'])
export class ReportEntity {
  @PrimaryGeneratedColumn()
  id: number;

  /** gen_random_uuid() by default; TypeORM reads that default back as a generated uuid. */
  @Generated('uuid')
  @Column({ type: 'uuid' })
  uid: string;

  @Column({ type: 'varchar', length: 128 })
  name: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  version: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  date: Date;

  @Column({ type: 'varchar', length: 256, nullable: true })
  userKey: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  machineId: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  clientId: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  clientName: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  contentType: string | null;

  @Column({ type: 'bytea', nullable: true })
  content: Buffer | null;

  /** The submitting client's network address. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  address: string | null;

  @OneToMany('ReportPropertyEntity', 'report')
  properties?: ReportPropertyEntity[];
}

@Entity('report_properties')
@Index('report_properties_report_id_idx', ['reportId'])
@Index('report_properties_name_idx', ['name'])
export class ReportPropertyEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 256 })
  name: string;

  @Column({ type: 'text', nullable: true })
  value: string | null;

  @Column({ type: 'int' })
  reportId: number;

  @ManyToOne('ReportEntity', 'properties', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'report_id' })
  report?: ReportEntity;
}
