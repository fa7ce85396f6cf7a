import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors';
import { ApiErrors } from '../../common/openapi';
import { Access } from '../../common/auth';
import { IntIdPipe } from '../../common/http';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import {
  DeleteOrderResponse,
  GetCustomerOrdersResponse,
  GetOrdersResponse,
  InsertOrderRequest,
  InsertOrderResponse,
  UpdateOrderRequest,
  UpdateOrderResponse,
} from './orders.dto';
import { OrdersService } from './orders.service';
import { EMPTY_PAYLOAD, Payload } from '../../common/envelope';
import { Idempotent } from '../../common/idempotency';

@ApiTags('Orders')
@Access('commerce')
@Controller('v1')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get('orders')
  @ApiOperation({ operationId: 'getOrders', summary: 'Gets the orders; include may name Customer.' })
  @ApiQueryOptions()
  @ApiOkResponse({ type: GetOrdersResponse })
  list(@Query(QueryOptionsPipe) options: QueryOptions): Promise<Payload<GetOrdersResponse>> {
    return this.orders.list(options);
  }

  @Post('orders')
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'insertOrder',
    summary: 'Inserts a new order; answers its id and order number (generated when not given).',
  })
  @ApiOkResponse({ type: InsertOrderResponse })
  @ApiErrors({ code: ErrorCode.Duplicate, when: 'the order number is taken' })
  insert(@Body() request: InsertOrderRequest): Promise<Payload<InsertOrderResponse>> {
    return this.orders.insert(request.order);
  }

  @Put('orders')
  @ApiOperation({ operationId: 'updateOrder', summary: 'Updates an existing order; its total follows its lines.' })
  @ApiOkResponse({ type: UpdateOrderResponse })
  @ApiErrors({ code: ErrorCode.Duplicate, when: 'the order number is taken' })
  async update(@Body() request: UpdateOrderRequest): Promise<Payload<UpdateOrderResponse>> {
    await this.orders.update(request.order);
    return EMPTY_PAYLOAD;
  }

  @Delete('orders/:orderId')
  @ApiOperation({
    operationId: 'deleteOrder',
    summary: 'Deletes an order with its lines; licenses issued for it block the delete.',
  })
  @ApiOkResponse({ type: DeleteOrderResponse })
  @ApiErrors({ code: ErrorCode.InUse, when: 'licenses still belong to the order' })
  async delete(@Param('orderId', IntIdPipe) orderId: number): Promise<Payload<DeleteOrderResponse>> {
    await this.orders.delete(orderId);
    return EMPTY_PAYLOAD;
  }

  @Get('customers/:customerId/orders')
  @ApiOperation({ operationId: 'getCustomerOrders', summary: 'Retrieves the orders of a customer.' })
  @ApiQueryOptions('select', 'filter', 'sort', 'take', 'skip')
  @ApiOkResponse({ type: GetCustomerOrdersResponse })
  listForCustomer(
    @Param('customerId', IntIdPipe) customerId: number,
    @Query(QueryOptionsPipe) options: QueryOptions,
  ): Promise<Payload<GetCustomerOrdersResponse>> {
    return this.orders.list(options, customerId);
  }
}
