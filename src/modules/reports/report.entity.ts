import { Column, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';

/** What a client application submitted: an exception report, a license report, … */
@Entity('reports')
export class ReportEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Index({ unique: true })
  @Column({ type: 'uuid', default: () => 'gen_random_uuid()' })
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
