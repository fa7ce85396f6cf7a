import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors';
import { ApiErrors } from '../../common/openapi';
import { Access, CurrentPrincipal, Principal } from '../../common/auth';
import { IntIdPipe } from '../../common/http';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import {
  DeleteProductResponse,
  GetProductsResponse,
  InsertProductRequest,
  InsertProductResponse,
  UpdateProductRequest,
  UpdateProductResponse,
} from './products.dto';
import { ProductsService } from './products.service';
import { EMPTY_PAYLOAD, Payload } from '../../common/envelope';
import { Idempotent } from '../../common/idempotency';

@ApiTags('Products')
@Access('products')
@Controller('v1/products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Get()
  @ApiOperation({
    operationId: 'getProducts',
    summary: 'Gets the products; include may name SignatureKeys and ProductOrders.',
  })
  @ApiQueryOptions()
  @ApiOkResponse({ type: GetProductsResponse })
  list(
    @Query(QueryOptionsPipe) options: QueryOptions,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Payload<GetProductsResponse>> {
    return this.products.list(options, principal);
  }

  @Post()
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({ operationId: 'insertProduct', summary: 'Inserts a new product.' })
  @ApiOkResponse({ type: InsertProductResponse })
  @ApiErrors({ code: ErrorCode.Duplicate, when: 'the product code is taken' })
  insert(@Body() request: InsertProductRequest): Promise<Payload<InsertProductResponse>> {
    return this.products.insert(request.product);
  }

  @Put()
  @ApiOperation({ operationId: 'updateProduct', summary: 'Updates an existing product.' })
  @ApiOkResponse({ type: UpdateProductResponse })
  @ApiErrors({ code: ErrorCode.Duplicate, when: 'the product code is taken' })
  async update(@Body() request: UpdateProductRequest): Promise<Payload<UpdateProductResponse>> {
    await this.products.update(request.product);
    return EMPTY_PAYLOAD;
  }

  @Delete(':productId')
  @ApiOperation({
    operationId: 'deleteProduct',
    summary:
      'Deletes a product that has no order lines, releases, license templates or licenses (409 names what blocks it).',
  })
  @ApiOkResponse({ type: DeleteProductResponse })
  @ApiErrors({
    code: ErrorCode.InUse,
    when: 'order lines, releases, license templates or licenses still point at the product',
  })
  async delete(@Param('productId', IntIdPipe) productId: number): Promise<Payload<DeleteProductResponse>> {
    await this.products.delete(productId);
    return EMPTY_PAYLOAD;
  }
}
