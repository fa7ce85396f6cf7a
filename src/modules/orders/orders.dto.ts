import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ApiListResponseDto, ApiResponseDto, TotalCount } from '../../common/envelope';
import {
  Nested,
  OptionalDate,
  OptionalInt,
  OptionalDecimal,
  OptionalNumber,
  OptionalString,
  OptionalReference,
  Embedded,
} from '../../common/dto';
import { CustomerDto } from '../customers/customers.dto';
import { ProductDto } from '../products/products.dto';

@ApiSchema({ name: 'Management.Order' })
export class OrderDto {
  @OptionalInt({ description: 'Id; required by update, ignored by insert' }) id?: number;
  @OptionalString(64, 'Unique; generated from the setting Licensing.OrderNumberFormat when not given') orderNumber?:
    string | null;
  @OptionalString(64) status?: string | null;
  @OptionalString(128) processedBy?: string | null;
  @OptionalString(128) purchaseOrder?: string | null;
  @OptionalNumber({ description: 'Sum of the order lines, kept by the server; ignored on input' }) total?:
    number | null;
  @OptionalString(8) currency?: string | null;
  @OptionalDate('Set by the server') createdAt?: string | null;
  @OptionalDate('Set by the server') updatedAt?: string | null;
  @OptionalString(64) invoiceNumber?: string | null;
  @OptionalString(64) paymentType?: string | null;
  @OptionalString(128) paymentNumber?: string | null;
  @OptionalString(64) paymentStatus?: string | null;
  @OptionalDate() paymentDate?: string | null;
  @OptionalString(65536) description?: string | null;
  @OptionalInt({ min: 0, description: 'The ordering customer; required on insert' }) customerId?: number | null;
  @Embedded(() => CustomerDto, 'The customer with its contacts when include names Customer; ignored on input')
  customer?: CustomerDto | null;
  @OptionalReference('The reseller (a customer) through which the order came')
  resellerId?: number | null;
}

/**
 * An order line. Its amount is quantity × unitPrice × (1 − discount/100) × (1 + taxes/100),
 * rounded to cents; the order's total is the sum of its lines.
 */
@ApiSchema({ name: 'Management.ProductOrder' })
export class ProductOrderDto {
  @OptionalInt({ min: 0, description: 'Taken from the path; when given it must match' }) productId?: number | null;
  @OptionalInt({ min: 0, description: 'Taken from the path; when given it must match' }) orderId?: number | null;
  @OptionalInt({ min: 0, max: 1_000_000_000, description: 'Default 1' }) quantity?: number | null;
  @OptionalDecimal({
    precision: 18,
    scale: 4,
    min: 0,
    description: "Price of one unit; defaults to the product's price",
  })
  unitPrice?: number | null;
  @OptionalDecimal({ precision: 9, scale: 4, min: 0, max: 100, description: 'Percent off the line, 0–100; default 0' })
  discount?: number | null;
  @OptionalDecimal({
    precision: 9,
    scale: 4,
    min: 0,
    max: 1000,
    description: 'Tax rate in percent, applied after the discount; default 0',
  })
  taxes?: number | null;
  @OptionalString(4096) description?: string | null;
  @Embedded(() => ProductDto, 'The product when include names Product; ignored on input') product?: ProductDto | null;
  @Embedded(() => OrderDto, 'The order when include names Order; ignored on input') order?: OrderDto | null;
}

@ApiSchema({ name: 'Management.InsertOrderRequest' })
export class InsertOrderRequest {
  @Nested(() => OrderDto, { required: true }) order: OrderDto;
}

@ApiSchema({ name: 'Management.UpdateOrderRequest' })
export class UpdateOrderRequest {
  @Nested(() => OrderDto, { required: true }) order: OrderDto;
}

@ApiSchema({ name: 'Management.GetOrdersResponse' })
export class GetOrdersResponse extends ApiListResponseDto {
  @ApiProperty({ type: [OrderDto] }) orders: OrderDto[];
  @TotalCount() totalOrdersCount: number | null;
}

@ApiSchema({ name: 'Management.GetCustomerOrdersResponse' })
export class GetCustomerOrdersResponse extends ApiListResponseDto {
  @ApiProperty({ type: [OrderDto] }) orders: OrderDto[];
  @TotalCount() totalOrdersCount: number | null;
}

@ApiSchema({ name: 'Management.InsertOrderResponse' })
export class InsertOrderResponse extends ApiResponseDto {
  @ApiProperty() orderId: number;
  @ApiProperty({ description: 'The order number, generated when none was given' }) orderNumber: string;
}

@ApiSchema({ name: 'Management.UpdateOrderResponse' })
export class UpdateOrderResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.DeleteOrderResponse' })
export class DeleteOrderResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.GetOrderProductsResponse' })
export class GetOrderProductsResponse extends ApiListResponseDto {
  @ApiProperty({ type: [ProductOrderDto] }) orderProducts: ProductOrderDto[];
  @TotalCount() totalOrderProductsCount: number | null;
}

@ApiSchema({ name: 'Management.GetProductOrdersResponse' })
export class GetProductOrdersResponse extends ApiListResponseDto {
  @ApiProperty({ type: [ProductOrderDto] }) productOrders: ProductOrderDto[];
  @TotalCount() totalProductOrdersCount: number | null;
}

@ApiSchema({ name: 'Management.InsertProductOrderRequest' })
export class InsertProductOrderRequest {
  @Nested(() => ProductOrderDto, { required: true }) productOrder: ProductOrderDto;
}

@ApiSchema({ name: 'Management.UpdateProductOrderRequest' })
export class UpdateProductOrderRequest {
  @Nested(() => ProductOrderDto, { required: true }) productOrder: ProductOrderDto;
}

@ApiSchema({ name: 'Management.InsertProductOrderResponse' })
export class InsertProductOrderResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.UpdateProductOrderResponse' })
export class UpdateProductOrderResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.DeleteProductOrderResponse' })
export class DeleteProductOrderResponse extends ApiResponseDto {}
