import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { ApiException, ErrorCode } from '../../common/errors';
import { QueryEntity, QueryOptions, findPage, parseInclude, parseSelect, pickFields } from '../../common/query';
import { CustomersService } from '../customers/customers.service';
import { ProductEntity } from '../products/product.entity';
import { toProductDto } from '../products/products.mapper';
import { lockOrder, recomputeOrderTotal } from './order-totals';
import { OrderEntity } from './order.entity';
import { GetOrderProductsResponse, GetProductOrdersResponse, OrderDto, ProductOrderDto } from './orders.dto';
import { toOrderDto, toProductOrderDto } from './orders.mapper';
import { ORDER_PRODUCT_QUERY, PRODUCT_ORDER_QUERY } from './orders.query';
import { ProductOrderEntity } from './product-order.entity';
import { assertRowExists } from '../../database/existing-rows';

/**
 * Order lines ("product orders"): one product on one order, at most once. Every change takes the
 * order's row lock and recomputes its total in the same transaction (see order-totals.ts).
 */
@Injectable()
export class OrderLinesService {
  constructor(
    @InjectRepository(ProductOrderEntity) private readonly lines: Repository<ProductOrderEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly customers: CustomersService,
  ) {}

  async listForOrder(orderId: number, options: QueryOptions): Promise<GetOrderProductsResponse> {
    await assertRowExists(this.dataSource.manager, OrderEntity, orderId, 'Order');
    const { items, total } = await this.page(ORDER_PRODUCT_QUERY, 'line.orderId = :orderId', { orderId }, options);
    return { orderProducts: items, totalOrderProductsCount: total } as GetOrderProductsResponse;
  }

  async listForProduct(productId: number, options: QueryOptions): Promise<GetProductOrdersResponse> {
    await assertRowExists(this.dataSource.manager, ProductEntity, productId, 'Product');
    const { items, total } = await this.page(
      PRODUCT_ORDER_QUERY,
      'line.productId = :productId',
      { productId },
      options,
    );
    return { productOrders: items, totalProductOrdersCount: total } as GetProductOrdersResponse;
  }

  /** The lines of several products, each with its order (and the order's customer), for include=ProductOrders. */
  async linesOfProducts(productIds: number[]): Promise<Map<number, ProductOrderDto[]>> {
    const grouped = new Map<number, ProductOrderDto[]>();
    if (productIds.length === 0) return grouped;
    const lines = await this.lines.find({
      where: { productId: In(productIds) },
      order: { productId: 'ASC', orderId: 'ASC' },
    });
    const dtos = await this.toDtos(lines, ['order']);
    lines.forEach((line, index) => grouped.set(line.productId, [...(grouped.get(line.productId) ?? []), dtos[index]]));
    return grouped;
  }

  /** Unit price defaults to the product's price, quantity to 1, discount and taxes to 0. */
  async insert(orderId: number, productId: number, input: ProductOrderDto): Promise<void> {
    this.assertPathIds(orderId, productId, input);
    await this.dataSource.transaction(async (manager) => {
      await lockOrder(manager, orderId);
      const product = await manager.findOneBy(ProductEntity, { id: productId });
      if (!product)
        throw ApiException.badRequest(`productId: product ${productId} does not exist`, ErrorCode.InvalidReference);
      if (await manager.existsBy(ProductOrderEntity, { orderId, productId })) {
        throw ApiException.conflict(
          `Product ${productId} is already on order ${orderId}; change that line with PUT`,
          ErrorCode.Duplicate,
        );
      }
      await manager.insert(ProductOrderEntity, {
        orderId,
        productId,
        quantity: input.quantity ?? 1,
        unitPrice: input.unitPrice ?? product.price ?? 0,
        discount: input.discount ?? 0,
        taxes: input.taxes ?? 0,
        description: input.description ?? null,
      });
      await recomputeOrderTotal(manager, orderId);
    });
  }

  /** Members left out (or null) keep their value, except description, which null clears. */
  async update(orderId: number, productId: number, input: ProductOrderDto): Promise<void> {
    this.assertPathIds(orderId, productId, input);
    await this.dataSource.transaction(async (manager) => {
      await lockOrder(manager, orderId);
      const line = await manager.findOneBy(ProductOrderEntity, { orderId, productId });
      if (!line) throw this.lineNotFound(orderId, productId);
      const changes: Partial<ProductOrderEntity> = {};
      for (const field of ['quantity', 'unitPrice', 'discount', 'taxes'] as const) {
        const value = input[field];
        if (value !== undefined && value !== null) changes[field] = value;
      }
      if (input.description !== undefined) changes.description = input.description ?? null;
      if (Object.keys(changes).length > 0) await manager.update(ProductOrderEntity, { orderId, productId }, changes);
      await recomputeOrderTotal(manager, orderId);
    });
  }

  async delete(orderId: number, productId: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await lockOrder(manager, orderId);
      const result = await manager.delete(ProductOrderEntity, { orderId, productId });
      if (!result.affected) throw this.lineNotFound(orderId, productId);
      await recomputeOrderTotal(manager, orderId);
    });
  }

  private async page(query: QueryEntity, condition: string, parameters: Record<string, number>, options: QueryOptions) {
    const select = parseSelect(query, options.select);
    const include = parseInclude(query, options.include);
    const qb = this.lines.createQueryBuilder('line').where(condition, parameters);
    const { items, total } = await findPage(qb, 'line', query, options);
    const dtos = await this.toDtos(items, include);
    return { items: dtos.map((dto) => pickFields(dto, select && [...select, ...include])), total };
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
    const products = ids.length
      ? await this.dataSource.manager.findBy(ProductEntity, { id: In([...new Set(ids)]) })
      : [];
    return new Map(products.map((product) => [product.id, toProductDto(product)]));
  }

  private async orderDtos(ids: number[]): Promise<Map<number, OrderDto>> {
    const orders = ids.length ? await this.dataSource.manager.findBy(OrderEntity, { id: In([...new Set(ids)]) }) : [];
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
