import type { CustomerDto } from '../customers/customers.dto';
import type { ProductDto } from '../products/products.dto';
import { OrderEntity } from './order.entity';
import { OrderDto, ProductOrderDto } from './orders.dto';
import { ProductOrderEntity } from './product-order.entity';

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

export function toOrderDto(order: OrderEntity, related: { customer?: CustomerDto | null } = {}): OrderDto {
  const dto: OrderDto = {
    id: order.id,
    orderNumber: order.orderNumber,
    status: order.status,
    processedBy: order.processedBy,
    purchaseOrder: order.purchaseOrder,
    total: order.total,
    currency: order.currency,
    createdAt: iso(order.createdAt),
    updatedAt: iso(order.updatedAt),
    invoiceNumber: order.invoiceNumber,
    paymentType: order.paymentType,
    paymentNumber: order.paymentNumber,
    paymentStatus: order.paymentStatus,
    paymentDate: iso(order.paymentDate),
    description: order.description,
    customerId: order.customerId,
    resellerId: order.resellerId,
  };
  if (related.customer !== undefined) dto.customer = related.customer;
  return dto;
}

export function toProductOrderDto(
  line: ProductOrderEntity,
  related: { product?: ProductDto; order?: OrderDto } = {},
): ProductOrderDto {
  const dto: ProductOrderDto = {
    productId: line.productId,
    orderId: line.orderId,
    quantity: line.quantity,
    unitPrice: line.unitPrice,
    discount: line.discount,
    taxes: line.taxes,
    description: line.description,
  };
  if (related.product) dto.product = related.product;
  if (related.order) dto.order = related.order;
  return dto;
}
