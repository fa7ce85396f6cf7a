import { AuditRecorder } from '../../common/audit';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { copyPresent } from '../../common/dto';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { QueryEntity, QueryOptions, listPage } from '../../common/query';
import { CustomersService } from '../customers/customers.service';
import { ProductEntity } from '../products/product.entity';
import { toProductDto } from '../products/products.mapper';
import { OrderEntity } from './order.entity';
import { GetOrderProductsResponse, GetProductOrdersResponse, OrderDto, ProductOrderDto } from './orders.dto';
import { toOrderDto, toProductOrderDto } from './orders.mapper';
import { ORDER_PRODUCT_QUERY, PRODUCT_ORDER_QUERY } from './orders.query';
import { OrdersRepository } from './orders.repository';
import { ProductOrderEntity } from './product-order.entity';
import { assertRowExists } from '../../database/existing-rows';

/**
 * Order lines ("product orders"): one product on one order, at most once. Every change takes the
 * order's row lock and recomputes its total in the same transaction (see OrdersRepository.lock).
 */
@Injectable()
export class OrderLinesService {
  constructor(
    private readonly audit: AuditRecorder,
    private readonly orders: OrdersRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly customers: CustomersService,
  ) {}

  async listForOrder(orderId: number, options: QueryOptions): Promise<Payload<GetOrderProductsResponse>> {
    await assertRowExists(this.dataSource.manager, OrderEntity, orderId, 'Order');
    const { items, total, nextCursor } = await this.page(ORDER_PRODUCT_QUERY, { orderId }, options);
    return { orderProducts: items, totalOrderProductsCount: total, nextCursor };
  }

  async listForProduct(productId: number, options: QueryOptions): Promise<Payload<GetProductOrdersResponse>> {
    await assertRowExists(this.dataSource.manager, ProductEntity, productId, 'Product');
    const { items, total, nextCursor } = await this.page(PRODUCT_ORDER_QUERY, { productId }, options);
    return { productOrders: items, totalProductOrdersCount: total, nextCursor };
  }

  /** The lines of several products, each with its order (and the order's customer), for include=ProductOrders. */
  async linesOfProducts(productIds: number[]): Promise<Map<number, ProductOrderDto[]>> {
    const grouped = new Map<number, ProductOrderDto[]>();
    if (productIds.length === 0) return grouped;
    const lines = await this.orders.findLinesOfProducts(productIds);
    const dtos = await this.toDtos(lines, ['order']);
    lines.forEach((line, index) => grouped.set(line.productId, [...(grouped.get(line.productId) ?? []), dtos[index]]));
    return grouped;
  }

  /** Unit price defaults to the product's price, quantity to 1, discount and taxes to 0. */
  async insert(orderId: number, productId: number, input: ProductOrderDto): Promise<void> {
    this.assertPathIds(orderId, productId, input);
    await this.dataSource.transaction(async (manager) => {
      await this.lockOrder(manager, orderId);
      const product = await this.orders.findProduct(manager, productId);
      if (!product)
        throw ApiException.badRequest(`productId: product ${productId} does not exist`, ErrorCode.InvalidReference);
      if (await this.orders.lineExists(manager, { orderId, productId })) {
        throw ApiException.conflict(
          `Product ${productId} is already on order ${orderId}; change that line with PUT`,
          ErrorCode.Duplicate,
        );
      }
      await this.orders.insertLine(manager, {
        orderId,
        productId,
        quantity: input.quantity ?? 1,
        unitPrice: input.unitPrice ?? product.price ?? 0,
        discount: input.discount ?? 0,
        taxes: input.taxes ?? 0,
        description: input.description ?? null,
      });
      await this.orders.recomputeTotal(manager, orderId);
    });
  }

  /** Members left out (or null) keep their value, except description, which null clears. */
  async update(orderId: number, productId: number, input: ProductOrderDto): Promise<void> {
    this.assertPathIds(orderId, productId, input);
    await this.dataSource.transaction(async (manager) => {
      await this.lockOrder(manager, orderId);
      const line = await this.orders.findLine(manager, { orderId, productId });
      if (!line) throw this.lineNotFound(orderId, productId);
      const changes: Partial<ProductOrderEntity> = {};
      copyPresent(changes, input, ['quantity', 'unitPrice', 'discount', 'taxes'], { nullKeeps: true });
      copyPresent(changes, input, ['description']);
      if (Object.keys(changes).length > 0) await this.orders.updateLine(manager, { orderId, productId }, changes);
      await this.orders.recomputeTotal(manager, orderId);
    });
  }

  async delete(orderId: number, productId: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.lockOrder(manager, orderId);
      if (!(await this.orders.deleteLine(manager, { orderId, productId }))) throw this.lineNotFound(orderId, productId);
      await this.audit.record(manager, {
        action: 'orderLine.deleted',
        entityType: 'orderLine',
        entityId: `${orderId}:${productId}`,
      });
      await this.orders.recomputeTotal(manager, orderId);
    });
  }

  private page(query: QueryEntity, scope: { orderId: number } | { productId: number }, options: QueryOptions) {
    return listPage(query, options, {
      read: () => this.orders.findLinePage(query, options, scope),
      toDtos: (lines, include) => this.toDtos(lines, include),
    });
  }

  /** 404 unless the order exists; its row lock is held until the transaction ends. */
  private async lockOrder(manager: EntityManager, orderId: number): Promise<void> {
    if (!(await this.orders.lock(manager, orderId))) throw ApiException.notFound(`Order ${orderId} does not exist`);
  }

  /** Embeds the product and/or the order (with its customer and contacts), one query per relation for the whole page. */
  private async toDtos(lines: ProductOrderEntity[], include: string[]): Promise<ProductOrderDto[]> {
    const products = include.includes('product')
      ? await this.productDtos(lines.map((line) => line.productId))
      : undefined;
    const orders = include.includes('order') ? await this.orderDtos(lines.map((line) => line.orderId)) : undefined;
    return lines.map((line) =>
      toProductOrderDto(line, { product: products?.get(line.productId), order: orders?.get(line.orderId) }),
    );
  }

  private async productDtos(ids: number[]) {
    const products = await this.orders.findProductsByIds([...new Set(ids)]);
    return new Map(products.map((product) => [product.id, toProductDto(product)]));
  }

  private async orderDtos(ids: number[]): Promise<Map<number, OrderDto>> {
    const orders = await this.orders.findByIds([...new Set(ids)]);
    const customers = await this.customers.findDtosByIds(
      orders.map((order) => order.customerId),
      ['contacts'],
    );
    return new Map(
      orders.map((order) => [order.id, toOrderDto(order, { customer: customers.get(order.customerId) ?? null })]),
    );
  }

  private assertPathIds(orderId: number, productId: number, input: ProductOrderDto): void {
    if (input.orderId && input.orderId !== orderId)
      throw ApiException.badRequest(`productOrder.orderId ${input.orderId} does not match ${orderId} in the path`);
    if (input.productId && input.productId !== productId)
      throw ApiException.badRequest(
        `productOrder.productId ${input.productId} does not match ${productId} in the path`,
      );
  }

  private lineNotFound(orderId: number, productId: number): ApiException {
    return ApiException.notFound(`Order ${orderId} has no line for product ${productId}`);
  }
}
