import { Column, CreateDateColumn, Entity, Index, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { ContactEntity } from './contact.entity';

@Entity('customers')
@Index('customers_code_idx', ['code'])
@Index('customers_company_idx', ['company'])
@Index('customers_last_name_idx', ['lastName'])
@Index('customers_email_idx', ['email'])
@Index('customers_created_at_idx', ['createdAt'])
export class CustomerEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 64, nullable: true }) title: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) firstName: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) lastName: string | null;
  @Column({ type: 'varchar', length: 256, nullable: true }) company: string | null;

  /** Unique without regard to case (index on lower(code) in the migration). */
  @Column({ type: 'varchar', length: 64 }) code: string;

  @Column({ type: 'varchar', length: 64, nullable: true }) vatCode: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) invoiceCode: string | null;
  @Column({ type: 'int', nullable: true }) rating: number | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
  @Column({ type: 'varchar', length: 512, nullable: true }) address: string | null;
  @Column({ type: 'varchar', length: 512, nullable: true }) address1: string | null;
  @Column({ type: 'varchar', length: 512, nullable: true }) address2: string | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) postalCode: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) region: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) city: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) country: string | null;
  @Column({ type: 'varchar', length: 8, nullable: true }) countryCode: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) mapCoordinates: string | null;
  @Column({ type: 'double precision', nullable: true }) mapZoomLevel: number | null;
  @Column({ type: 'varchar', length: 256, nullable: true }) email: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) phone: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) mobile: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) fax: string | null;
  @Column({ type: 'varchar', length: 512, nullable: true }) website: string | null;
  @Column({ type: 'text', nullable: true }) notes: string | null;
  @Column({ type: 'boolean', default: false }) isReseller: boolean;
  @Column({ type: 'text', nullable: true }) image: string | null;
  @Column({ type: 'text', nullable: true }) meta: string | null;

  @OneToMany(() => ContactEntity, (contact) => contact.customer)
  contacts: ContactEntity[];
}
