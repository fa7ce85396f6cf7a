import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { CustomerEntity } from './customer.entity';

@Entity('contacts')
@Index('contacts_customer_id_idx', ['customerId'])
@Index('contacts_last_name_idx', ['lastName'])
@Index('contacts_email_idx', ['email'])
export class ContactEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 64, nullable: true }) title: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) firstName: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) lastName: string | null;
  @Column({ type: 'varchar', length: 256, nullable: true }) email: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) phone: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) mobile: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) fax: string | null;
  @Column({ type: 'text', nullable: true }) details: string | null;
  @Column({ type: 'boolean', default: false }) notify: boolean;
  @Column({ type: 'text', nullable: true }) meta: string | null;

  @Column({ type: 'int' })
  customerId: number;

  @ManyToOne('CustomerEntity', 'contacts', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'customer_id' })
  customer: CustomerEntity;
}
