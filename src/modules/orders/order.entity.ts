import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { CustomerEntity } from '../customers/customer.entity';
import { decimalTransformer } from '../../database/decimal.transformer';
import type { ProductOrderEntity } from './product-order.entity';

@Entity('orders')
@Index('orders_customer_id_idx', ['customerId'])
@Index('orders_reseller_id_idx', ['resellerId'])
@Index('orders_created_at_idx', ['createdAt'])
@Index('orders_status_idx', ['status'])
@Index('orders_total_idx', ['total'])
export class OrderEntity {
  @PrimaryGeneratedColumn()
  id: number;

  /** Unique without regard to case; generated from Licensing.OrderNumberFormat when not given. */
  @Column({ type: 'varchar', length: 64 }) orderNumber: string;
  @Column({ type: 'varchar', length: 64, nullable: true }) status: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) processedBy: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) purchaseOrder: string | null;
  /** Always the sum of the lines (see OrderTotals); never written from a request. */
  @Column({ type: 'numeric', precision: 18, scale: 4, default: 0, transformer: decimalTransformer }) total: number;
  @Column({ type: 'varchar', length: 8, nullable: true }) currency: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
  @Column({ type: 'varchar', length: 64, nullable: true }) invoiceNumber: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) paymentType: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) paymentNumber: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) paymentStatus: string | null;
  @Column({ type: 'timestamptz', nullable: true }) paymentDate: Date | null;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ type: 'int' }) customerId: number;
  @Column({ type: 'int', nullable: true }) resellerId: number | null;

  @ManyToOne('CustomerEntity', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'customer_id' })
  customer: CustomerEntity;

  @ManyToOne('CustomerEntity', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'reseller_id' })
  reseller: CustomerEntity | null;

  @OneToMany('ProductOrderEntity', 'order')
  productOrders: ProductOrderEntity[];
}
