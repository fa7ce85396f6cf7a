import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
  ): Promise<GetProductReleasesResponse> {
    return this.releases.list(productId, options);
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ operationId: 'insertProductRelease', summary: 'Inserts a new release of a product.' })
  @ApiOkResponse({ type: InsertProductReleaseResponse })
  async insert(
    @Param('productId', IntIdPipe) productId: number,
    @Body() request: InsertProductReleaseRequest,
  ): Promise<InsertProductReleaseResponse> {
    return { releaseId: await this.releases.insert(productId, request.release) } as InsertProductReleaseResponse;
  }

  @Put()
  @ApiOperation({ operationId: 'updateProductRelease', summary: 'Updates a release of a product.' })
  @ApiOkResponse({ type: UpdateProductReleaseResponse })
  async update(
    @Param('productId', IntIdPipe) productId: number,
    @Body() request: UpdateProductReleaseRequest,
  ): Promise<UpdateProductReleaseResponse> {
    return { releaseId: await this.releases.update(productId, request.release) } as UpdateProductReleaseResponse;
  }

  @Delete(':releaseId')
  @ApiOperation({
    operationId: 'deleteProductRelease',
    summary: 'Deletes a release and its assembly links; license templates built on it block the delete.',
  })
  @ApiOkResponse({ type: DeleteProductReleaseResponse })
  async delete(
    @Param('productId', IntIdPipe) productId: number,
    @Param('releaseId', IntIdPipe) releaseId: number,
  ): Promise<DeleteProductReleaseResponse> {
    await this.releases.delete(productId, releaseId);
    return {} as DeleteProductReleaseResponse;
  }

  @Get(':releaseId/assemblies')
  @ApiOperation({ operationId: 'getProductReleaseAssemblies', summary: 'Gets the assemblies of a product release.' })
  @ApiQueryOptions('select', 'filter', 'sort', 'take', 'skip')
  @ApiOkResponse({ type: GetProductReleaseAssembliesResponse })
  listAssemblies(
    @Param('productId', IntIdPipe) productId: number,
    @Param('releaseId', IntIdPipe) releaseId: number,
    @Query(QueryOptionsPipe) options: QueryOptions,
  ): Promise<GetProductReleaseAssembliesResponse> {
    return this.releases.listAssemblies(productId, releaseId, options);
  }

  @Post(':releaseId/assemblies')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'insertProductReleaseAssembly',
    summary: 'Adds an assembly to a release: an existing one by assembly.id, or a new one.',
  })
  @ApiOkResponse({ type: InsertProductReleaseAssemblyResponse })
  async insertAssembly(
    @Param('productId', IntIdPipe) productId: number,
    @Param('releaseId', IntIdPipe) releaseId: number,
    @Body() request: InsertProductReleaseAssemblyRequest,
  ): Promise<InsertProductReleaseAssemblyResponse> {
    return {
      assemblyId: await this.releases.insertAssembly(productId, releaseId, request),
    } as InsertProductReleaseAssemblyResponse;
  }

  @Put(':releaseId/assemblies')
  @ApiOperation({ operationId: 'updateProductReleaseAssembly', summary: 'Updates an assembly of a release.' })
  @ApiOkResponse({ type: UpdateProductReleaseAssemblyResponse })
  async updateAssembly(
    @Param('productId', IntIdPipe) productId: number,
    @Param('releaseId', IntIdPipe) releaseId: number,
    @Body() request: UpdateProductReleaseAssemblyRequest,
  ): Promise<UpdateProductReleaseAssemblyResponse> {
    return {
      assemblyId: await this.releases.updateAssembly(productId, releaseId, request.assembly),
    } as UpdateProductReleaseAssemblyResponse;
  }

  @Delete(':releaseId/assemblies/:assemblyId')
  @ApiOperation({
    operationId: 'deleteProductReleaseAssembly',
    summary: 'Removes an assembly from a release; the assembly itself stays in /v1/assemblies.',
  })
  @ApiOkResponse({ type: DeleteProductReleaseAssemblyResponse })
  async deleteAssembly(
    @Param('productId', IntIdPipe) productId: number,
    @Param('releaseId', IntIdPipe) releaseId: number,
    @Param('assemblyId', IntIdPipe) assemblyId: number,
  ): Promise<DeleteProductReleaseAssemblyResponse> {
    await this.releases.deleteAssembly(productId, releaseId, assemblyId);
    return {} as DeleteProductReleaseAssemblyResponse;
  }
}
