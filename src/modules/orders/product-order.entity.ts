import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { decimalTransformer } from '../../database/decimal.transformer';
import type { ProductEntity } from '../products/product.entity';
import type { OrderEntity } from './order.entity';

/** An order line: one product on one order, at most once per order. */
@Entity('order_products')
@Index('order_products_product_id_idx', ['productId'])
@Check('order_products_quantity_check', '"quantity" >= 0')
@Check('order_products_unit_price_check', '"unit_price" >= 0')
@Check('order_products_discount_check', '"discount" >= 0 AND "discount" <= 100')
@Check('order_products_taxes_check', '"taxes" >= 0 AND "taxes" <= 1000')
export class ProductOrderEntity {
  @PrimaryColumn({ type: 'int' }) orderId: number;
  @PrimaryColumn({ type: 'int' }) productId: number;
  @Column({ type: 'int', default: 1 }) quantity: number;
  @Column({ type: 'numeric', precision: 18, scale: 4, default: 0, transformer: decimalTransformer }) unitPrice: number;
  /** Percent off the line, 0–100. */
  @Column({ type: 'numeric', precision: 9, scale: 4, default: 0, transformer: decimalTransformer }) discount: number;
  /** Tax rate in percent, applied after the discount. */
  @Column({ type: 'numeric', precision: 9, scale: 4, default: 0, transformer: decimalTransformer }) taxes: number;
  @Column({ type: 'text', nullable: true }) description: string | null;

  @ManyToOne('OrderEntity', 'productOrders', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'order_id' })
  order: OrderEntity;

  @ManyToOne('ProductEntity', 'productOrders', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'product_id' })
  product: ProductEntity;
}
