import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors';
import { ApiErrors, ErrorCase } from '../../common/openapi';
import { Access } from '../../common/auth';
import { IntIdPipe } from '../../common/http';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import {
  DeleteProductReleaseAssemblyResponse,
  DeleteProductReleaseResponse,
  GetProductReleaseAssembliesResponse,
  GetProductReleasesResponse,
  InsertProductReleaseAssemblyRequest,
  InsertProductReleaseAssemblyResponse,
  InsertProductReleaseRequest,
  InsertProductReleaseResponse,
  UpdateProductReleaseAssemblyRequest,
  UpdateProductReleaseAssemblyResponse,
  UpdateProductReleaseRequest,
  UpdateProductReleaseResponse,
} from './products.dto';
import { ReleasesService } from './releases.service';
import { EMPTY_PAYLOAD, Payload } from '../../common/envelope';
import { Idempotent } from '../../common/idempotency';

const RELEASE_NOT_FOUND: ErrorCase = {
  code: ErrorCode.NotFound,
  when: 'the product has no release releaseId',
  example: 'Release 4711 of product 4711 does not exist',
};

@ApiTags('Products')
@Access('licensing')
@Controller('v1/products/:productId/releases')
export class ReleasesController {
  constructor(private readonly releases: ReleasesService) {}

  @Get()
  @ApiOperation({ operationId: 'getProductReleases', summary: 'Gets the releases of a product.' })
  @ApiQueryOptions('select', 'filter', 'sort', 'take', 'skip')
  @ApiOkResponse({ type: GetProductReleasesResponse })
  list(
    @Param('productId', IntIdPipe) productId: number,
    @Query(QueryOptionsPipe) options: QueryOptions,
  ): Promise<Payload<GetProductReleasesResponse>> {
    return this.releases.list(productId, options);
  }

  @Post()
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({ operationId: 'insertProductRelease', summary: 'Inserts a new release of a product.' })
  @ApiOkResponse({ type: InsertProductReleaseResponse })
  insert(
    @Param('productId', IntIdPipe) productId: number,
    @Body() request: InsertProductReleaseRequest,
  ): Promise<Payload<InsertProductReleaseResponse>> {
    return this.releases.insert(productId, request.release);
  }

  @Put()
  @ApiOperation({ operationId: 'updateProductRelease', summary: 'Updates a release of a product.' })
  @ApiOkResponse({ type: UpdateProductReleaseResponse })
  update(
    @Param('productId', IntIdPipe) productId: number,
    @Body() request: UpdateProductReleaseRequest,
  ): Promise<Payload<UpdateProductReleaseResponse>> {
    return this.releases.update(productId, request.release);
  }

  @Delete(':releaseId')
  @ApiOperation({
    operationId: 'deleteProductRelease',
    summary: 'Deletes a release and its assembly links; license templates built on it block the delete.',
  })
  @ApiOkResponse({ type: DeleteProductReleaseResponse })
  @ApiErrors({ code: ErrorCode.InUse, when: 'license templates still point at the release' }, RELEASE_NOT_FOUND)
  async delete(
    @Param('productId', IntIdPipe) productId: number,
    @Param('releaseId', IntIdPipe) releaseId: number,
  ): Promise<Payload<DeleteProductReleaseResponse>> {
    await this.releases.delete(productId, releaseId);
    return EMPTY_PAYLOAD;
  }

  @Get(':releaseId/assemblies')
  @ApiOperation({ operationId: 'getProductReleaseAssemblies', summary: 'Gets the assemblies of a product release.' })
  @ApiQueryOptions('select', 'filter', 'sort', 'take', 'skip')
  @ApiOkResponse({ type: GetProductReleaseAssembliesResponse })
  @ApiErrors(RELEASE_NOT_FOUND)
  listAssemblies(
    @Param('productId', IntIdPipe) productId: number,
    @Param('releaseId', IntIdPipe) releaseId: number,
    @Query(QueryOptionsPipe) options: QueryOptions,
  ): Promise<Payload<GetProductReleaseAssembliesResponse>> {
    return this.releases.listAssemblies(productId, releaseId, options);
  }

  @Post(':releaseId/assemblies')
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'insertProductReleaseAssembly',
    summary: 'Adds an assembly to a release: an existing one by assembly.id, or a new one.',
  })
  @ApiOkResponse({ type: InsertProductReleaseAssemblyResponse })
  @ApiErrors({ code: ErrorCode.Duplicate, when: 'the assembly is already part of the release' }, RELEASE_NOT_FOUND)
  insertAssembly(
    @Param('productId', IntIdPipe) productId: number,
    @Param('releaseId', IntIdPipe) releaseId: number,
    @Body() request: InsertProductReleaseAssemblyRequest,
  ): Promise<Payload<InsertProductReleaseAssemblyResponse>> {
    return this.releases.insertAssembly(productId, releaseId, request);
  }

  @Put(':releaseId/assemblies')
  @ApiOperation({ operationId: 'updateProductReleaseAssembly', summary: 'Updates an assembly of a release.' })
  @ApiOkResponse({ type: UpdateProductReleaseAssemblyResponse })
  @ApiErrors(RELEASE_NOT_FOUND)
  updateAssembly(
    @Param('productId', IntIdPipe) productId: number,
    @Param('releaseId', IntIdPipe) releaseId: number,
    @Body() request: UpdateProductReleaseAssemblyRequest,
  ): Promise<Payload<UpdateProductReleaseAssemblyResponse>> {
    return this.releases.updateAssembly(productId, releaseId, request.assembly);
  }

  @Delete(':releaseId/assemblies/:assemblyId')
  @ApiOperation({
    operationId: 'deleteProductReleaseAssembly',
    summary: 'Removes an assembly from a release; the assembly itself stays in /v1/assemblies.',
  })
  @ApiOkResponse({ type: DeleteProductReleaseAssemblyResponse })
  @ApiErrors(RELEASE_NOT_FOUND, {
    code: ErrorCode.NotFound,
    when: 'the assembly is not part of the release',
    example: 'Assembly 4711 is not part of release 4711',
  })
  async deleteAssembly(
    @Param('productId', IntIdPipe) productId: number,
    @Param('releaseId', IntIdPipe) releaseId: number,
    @Param('assemblyId', IntIdPipe) assemblyId: number,
  ): Promise<Payload<DeleteProductReleaseAssemblyResponse>> {
    await this.releases.deleteAssembly(productId, releaseId, assemblyId);
    return EMPTY_PAYLOAD;
  }
}
