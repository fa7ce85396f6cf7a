import { AuditRecorder, diffChanges } from '../../common/audit';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { copyPresent, toDateOrNull } from '../../common/dto';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { generateKey } from '../../common/key-format';
import { QueryOptions, listPage } from '../../common/query';
import { CustomersService } from '../customers/customers.service';
import { assertRowExists } from '../../database/existing-rows';
import { assertNotReferenced, isUniqueViolation } from '../../database/referencing-rows';
import { CustomerEntity } from '../customers/customer.entity';
import { SettingsService } from '../settings/settings.service';
import { OrderEntity } from './order.entity';
import { GetOrdersResponse, InsertOrderResponse, OrderDto } from './orders.dto';
import { toOrderDto } from './orders.mapper';
import { ORDER_QUERY } from './orders.query';
import { OrdersRepository } from './orders.repository';

const ORDER_NUMBER_INDEX = 'orders_order_number_unique';
/** A collision needs two equal random numbers; several in a row mean the format is far too narrow. */
const MAX_NUMBER_ATTEMPTS = 5;
const TEXT_FIELDS = [
  'status',
  'processedBy',
  'purchaseOrder',
  'currency',
  'invoiceNumber',
  'paymentType',
  'paymentNumber',
  'paymentStatus',
  'description',
] as const;

@Injectable()
export class OrdersService {
  constructor(
    private readonly audit: AuditRecorder,
    private readonly orders: OrdersRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly customers: CustomersService,
    private readonly settings: SettingsService,
  ) {}

  /** All orders, or one customer's (`customerId`), with the customer embedded when include names it. */
  async list(options: QueryOptions, customerId?: number): Promise<Payload<GetOrdersResponse>> {
    const { items, total, nextCursor } = await listPage(ORDER_QUERY, options, {
      read: async () => {
        if (customerId !== undefined)
          await assertRowExists(this.orders.manager, CustomerEntity, customerId, 'Customer');
        return this.orders.findPage(options, { customerId });
      },
      toDtos: async (orders, include) => {
        const customers = include.includes('customer')
          ? await this.customers.findDtosByIds(
              orders.map((order) => order.customerId),
              ['contacts'],
            )
          : undefined;
        return orders.map((order) =>
          toOrderDto(order, { customer: customers ? (customers.get(order.customerId) ?? null) : undefined }),
        );
      },
    });
    return { orders: items, totalOrdersCount: total, nextCursor };
  }

  /** The total starts at 0 and follows the lines added with POST /v1/orders/{orderId}/products/{productId}. */
  async insert(input: OrderDto): Promise<Payload<InsertOrderResponse>> {
    if (!input.customerId)
      throw ApiException.badRequest('order.customerId is required: the customer who places the order');
    await this.customers.assertExists(input.customerId, 'order.customerId');
    const draft: Partial<OrderEntity> = { customerId: input.customerId, resellerId: null, paymentDate: null, total: 0 };
    this.applyFields(draft, input);
    if (input.resellerId) {
      await this.customers.assertExists(input.resellerId, 'order.resellerId');
      draft.resellerId = input.resellerId;
    }
    const given = input.orderNumber?.trim() || null;
    if (given) await this.assertNumberFree(given);
    const format = given ? undefined : await this.settings.get<string>('Licensing.OrderNumberFormat');
    for (let attempt = 1; ; attempt++) {
      draft.orderNumber = given ?? generateKey(format!);
      try {
        const saved = await this.orders.insert(draft);
        return { orderId: saved.id, orderNumber: saved.orderNumber };
      } catch (error) {
        if (!isUniqueViolation(error, ORDER_NUMBER_INDEX)) throw error;
        if (given || attempt >= MAX_NUMBER_ATTEMPTS) throw this.numberTaken(draft.orderNumber);
      }
    }
  }

  /**
   * Members left out of the request keep their value; null clears them. Only the request's columns
   * are written, never the total, so a line added meanwhile keeps its effect on it.
   */
  async update(input: OrderDto): Promise<void> {
    if (!input.id) throw ApiException.badRequest('order.id is required to update an order');
    const order = await this.orders.findById(input.id);
    if (!order) throw ApiException.notFound(`Order ${input.id} does not exist`);
    const changes: Partial<OrderEntity> = {};
    this.applyFields(changes, input);
    if (input.customerId !== undefined && input.customerId !== order.customerId) {
      if (!input.customerId)
        throw ApiException.badRequest('order.customerId cannot be removed: every order has a customer');
      await this.customers.assertExists(input.customerId, 'order.customerId');
      changes.customerId = input.customerId;
    }
    if (input.resellerId !== undefined && (input.resellerId || null) !== order.resellerId) {
      if (input.resellerId) await this.customers.assertExists(input.resellerId, 'order.resellerId');
      changes.resellerId = input.resellerId || null;
    }
    if (input.orderNumber !== undefined) {
      const number = input.orderNumber?.trim();
      if (!number) throw ApiException.badRequest('order.orderNumber cannot be empty');
      if (number.toLowerCase() !== order.orderNumber.toLowerCase()) await this.assertNumberFree(number);
      changes.orderNumber = number;
    }
    try {
      await this.dataSource.transaction(async (manager) => {
        await this.orders.update(order.id, { ...changes, updatedAt: new Date() }, manager);
        const fields = Object.keys(changes);
        const audited = diffChanges(fields, order, changes);
        if (audited)
          await this.audit.record(manager, {
            action: 'order.updated',
            entityType: 'order',
            entityId: order.id,
            changes: audited,
          });
      });
    } catch (error) {
      if (isUniqueViolation(error, ORDER_NUMBER_INDEX))
        throw this.numberTaken(changes.orderNumber ?? order.orderNumber);
      throw error;
    }
  }

  /** The lines go with the order; licenses issued for it keep it (409 naming them). */
  async delete(orderId: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.orders.lock(manager, orderId))) throw ApiException.notFound(`Order ${orderId} does not exist`);
      await assertNotReferenced(
        manager,
        `order ${orderId}`,
        orderId,
        [{ table: 'licenses', column: 'order_id', noun: 'license' }],
        'delete or move those licenses first',
      );
      await this.orders.delete(manager, orderId);
      await this.audit.record(manager, { action: 'order.deleted', entityType: 'order', entityId: orderId });
    });
  }

  private applyFields(order: Partial<OrderEntity>, input: OrderDto): void {
    copyPresent(order, input, TEXT_FIELDS);
    copyPresent(order, input, ['paymentDate'], { convert: toDateOrNull });
  }

  private async assertNumberFree(orderNumber: string): Promise<void> {
    if (await this.orders.isOrderNumberTaken(orderNumber)) throw this.numberTaken(orderNumber);
  }

  private numberTaken(orderNumber: string): ApiException {
    return ApiException.conflict(
      `order.orderNumber "${orderNumber}" is already used by another order`,
      ErrorCode.Duplicate,
    );
  }
}
