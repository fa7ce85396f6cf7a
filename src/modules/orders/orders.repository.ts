import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { Page, PageOptions, QueryEntity, findPage } from '../../common/query';
import { ProductEntity } from '../products/product.entity';
import { OrderEntity } from './order.entity';
import { ORDER_QUERY } from './orders.query';
import { ProductOrderEntity } from './product-order.entity';

/**
 * An order's total is the sum of its lines, each
 *
 *   quantity × unitPrice × (1 − discount/100) × (1 + taxes/100), rounded to 2 decimals,
 *
 * where discount and taxes are percentages (the reference sends them as doubles beside a unit price,
 * with no currency of their own, so they are rates rather than amounts). Each line is rounded to
 * cents before summing, as on an invoice, and the arithmetic runs in PostgreSQL's numeric type, so
 * no binary float ever touches money.
 */
export const LINE_AMOUNT_SQL = 'ROUND(quantity * unit_price * (100 - discount) * (100 + taxes) / 10000, 2)';

/** One line of one order: a product appears on an order at most once. */
export interface OrderLineKey {
  orderId: number;
  productId: number;
}

/** The queries of the order aggregate: orders and their lines (product orders). */
@Injectable()
export class OrdersRepository {
  constructor(
    @InjectRepository(OrderEntity) private readonly orders: Repository<OrderEntity>,
    @InjectRepository(ProductOrderEntity) private readonly lines: Repository<ProductOrderEntity>,
  ) {}

  /** The manager of the default connection, for the shared checks that take one (assertRowExists). */
  get manager(): EntityManager {
    return this.orders.manager;
  }

  findPage(options: PageOptions, scope: { customerId?: number } = {}): Promise<Page<OrderEntity>> {
    const qb = this.orders.createQueryBuilder('ord');
    if (scope.customerId !== undefined) qb.where('ord.customerId = :customerId', { customerId: scope.customerId });
    return findPage(qb, 'ord', ORDER_QUERY, options);
  }

  findById(orderId: number): Promise<OrderEntity | null> {
    return this.orders.findOneBy({ id: orderId });
  }

  findByIds(orderIds: number[]): Promise<OrderEntity[]> {
    if (orderIds.length === 0) return Promise.resolve([]);
    return this.orders.findBy({ id: In(orderIds) });
  }

  /** Whether an order has this number, without regard to case. */
  isOrderNumberTaken(orderNumber: string): Promise<boolean> {
    return this.orders
      .createQueryBuilder('ord')
      .where('lower(ord.orderNumber) = lower(:orderNumber)', { orderNumber })
      .getExists();
  }

  insert(order: Partial<OrderEntity>): Promise<OrderEntity> {
    return this.orders.save({ ...order });
  }

  /** Writes only the given columns, so a line total computed meanwhile is kept. */
  async update(
    orderId: number,
    changes: Partial<OrderEntity>,
    manager: EntityManager = this.orders.manager,
  ): Promise<void> {
    await manager.update(OrderEntity, { id: orderId }, changes);
  }

  /**
   * Locks the order row for the rest of the transaction; false when there is no such order. Every change
   * to an order's lines takes this lock first, so two concurrent line changes run one after the other and
   * the second recomputation sees the first one's line: no update of the total is lost.
   */
  async lock(manager: EntityManager, orderId: number): Promise<boolean> {
    const rows: unknown[] = await manager.query('SELECT id FROM orders WHERE id = $1 FOR UPDATE', [orderId]);
    return rows.length > 0;
  }

  /** Its lines go with it (ON DELETE CASCADE). */
  async delete(manager: EntityManager, orderId: number): Promise<void> {
    await manager.delete(OrderEntity, { id: orderId });
  }

  /** Recomputes the order's total from its lines; call inside the transaction that holds `lock`. */
  async recomputeTotal(manager: EntityManager, orderId: number): Promise<void> {
    await manager.query(
      `UPDATE orders
          SET total = COALESCE((SELECT SUM(${LINE_AMOUNT_SQL}) FROM order_products WHERE order_id = $1), 0),
              updated_at = now()
        WHERE id = $1`,
      [orderId],
    );
  }

  /** A page of lines, of one order or of one product; `query` is the whitelist of that view. */
  findLinePage(
    query: QueryEntity,
    options: PageOptions,
    scope: { orderId: number } | { productId: number },
  ): Promise<Page<ProductOrderEntity>> {
    const qb = this.lines.createQueryBuilder('line');
    if ('orderId' in scope) qb.where('line.orderId = :orderId', { orderId: scope.orderId });
    else qb.where('line.productId = :productId', { productId: scope.productId });
    return findPage(qb, 'line', query, options);
  }

  /** The lines of these products, by product and then order. */
  findLinesOfProducts(productIds: number[]): Promise<ProductOrderEntity[]> {
    if (productIds.length === 0) return Promise.resolve([]);
    return this.lines.find({ where: { productId: In(productIds) }, order: { productId: 'ASC', orderId: 'ASC' } });
  }

  findLine(manager: EntityManager, key: OrderLineKey): Promise<ProductOrderEntity | null> {
    return manager.findOneBy(ProductOrderEntity, { orderId: key.orderId, productId: key.productId });
  }

  lineExists(manager: EntityManager, key: OrderLineKey): Promise<boolean> {
    return manager.existsBy(ProductOrderEntity, { orderId: key.orderId, productId: key.productId });
  }

  async insertLine(manager: EntityManager, line: Omit<ProductOrderEntity, 'order' | 'product'>): Promise<void> {
    await manager.insert(ProductOrderEntity, line);
  }

  async updateLine(manager: EntityManager, key: OrderLineKey, changes: Partial<ProductOrderEntity>): Promise<void> {
    await manager.update(ProductOrderEntity, { orderId: key.orderId, productId: key.productId }, changes);
  }

  /** False when the order has no line for the product. */
  async deleteLine(manager: EntityManager, key: OrderLineKey): Promise<boolean> {
    const result = await manager.delete(ProductOrderEntity, { orderId: key.orderId, productId: key.productId });
    return Boolean(result.affected);
  }

  /** The product a new line refers to, read in the line's transaction. */
  findProduct(manager: EntityManager, productId: number): Promise<ProductEntity | null> {
    return manager.findOneBy(ProductEntity, { id: productId });
  }

  findProductsByIds(productIds: number[]): Promise<ProductEntity[]> {
    if (productIds.length === 0) return Promise.resolve([]);
    return this.orders.manager.findBy(ProductEntity, { id: In(productIds) });
  }
}
