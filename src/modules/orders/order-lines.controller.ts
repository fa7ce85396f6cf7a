import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors';
import { ApiErrors } from '../../common/openapi';
import { Access } from '../../common/auth';
import { IntIdPipe } from '../../common/http';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import { OrderLinesService } from './order-lines.service';
import {
  DeleteProductOrderResponse,
  GetOrderProductsResponse,
  GetProductOrdersResponse,
  InsertProductOrderRequest,
  InsertProductOrderResponse,
  UpdateProductOrderRequest,
  UpdateProductOrderResponse,
} from './orders.dto';
import { EMPTY_PAYLOAD, Payload } from '../../common/envelope';
import { Idempotent } from '../../common/idempotency';

@ApiTags('Orders')
@Access('commerce')
@Controller('v1')
export class OrderLinesController {
  constructor(private readonly lines: OrderLinesService) {}

  @Get('orders/:orderId/products')
  @ApiOperation({
    operationId: 'getOrderProducts',
    summary: 'Gets the lines of an order; include may name Product and Order.',
  })
  @ApiQueryOptions()
  @ApiOkResponse({ type: GetOrderProductsResponse })
  listForOrder(
    @Param('orderId', IntIdPipe) orderId: number,
    @Query(QueryOptionsPipe) options: QueryOptions,
  ): Promise<Payload<GetOrderProductsResponse>> {
    return this.lines.listForOrder(orderId, options);
  }

  @Post('orders/:orderId/products/:productId')
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'insertProductOrder',
    summary: 'Adds a product to an order (once per product) and recomputes the order total.',
  })
  @ApiOkResponse({ type: InsertProductOrderResponse })
  @ApiErrors({ code: ErrorCode.Duplicate, when: 'the product is already on the order' })
  async insert(
    @Param('orderId', IntIdPipe) orderId: number,
    @Param('productId', IntIdPipe) productId: number,
    @Body() request: InsertProductOrderRequest,
  ): Promise<Payload<InsertProductOrderResponse>> {
    await this.lines.insert(orderId, productId, request.productOrder);
    return EMPTY_PAYLOAD;
  }

  @Put('orders/:orderId/products/:productId')
  @ApiOperation({ operationId: 'updateProductOrder', summary: 'Updates an order line and recomputes the order total.' })
  @ApiOkResponse({ type: UpdateProductOrderResponse })
  async update(
    @Param('orderId', IntIdPipe) orderId: number,
    @Param('productId', IntIdPipe) productId: number,
    @Body() request: UpdateProductOrderRequest,
  ): Promise<Payload<UpdateProductOrderResponse>> {
    await this.lines.update(orderId, productId, request.productOrder);
    return EMPTY_PAYLOAD;
  }

  @Delete('orders/:orderId/products/:productId')
  @ApiOperation({
    operationId: 'deleteProductOrder',
    summary: 'Removes a product from an order and recomputes the order total.',
  })
  @ApiOkResponse({ type: DeleteProductOrderResponse })
  async delete(
    @Param('orderId', IntIdPipe) orderId: number,
    @Param('productId', IntIdPipe) productId: number,
  ): Promise<Payload<DeleteProductOrderResponse>> {
    await this.lines.delete(orderId, productId);
    return EMPTY_PAYLOAD;
  }

  @Get('products/:productId/orders')
  @ApiOperation({
    operationId: 'getProductOrders',
    summary: 'Gets the order lines of a product; include may name Product and Order.',
  })
  @ApiQueryOptions()
  @ApiOkResponse({ type: GetProductOrdersResponse })
  listForProduct(
    @Param('productId', IntIdPipe) productId: number,
    @Query(QueryOptionsPipe) options: QueryOptions,
  ): Promise<Payload<GetProductOrdersResponse>> {
    return this.lines.listForProduct(productId, options);
  }
}
