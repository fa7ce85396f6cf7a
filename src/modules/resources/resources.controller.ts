import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { EMPTY_PAYLOAD, Payload } from '../../common/envelope';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors';
import { ApiErrors } from '../../common/openapi';
import { Access } from '../../common/auth';
import { IntIdPipe } from '../../common/http';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import {
  DeleteResourceResponse,
  GetResourcesResponse,
  InsertResourceRequest,
  InsertResourceResponse,
  UpdateResourceRequest,
  UpdateResourceResponse,
} from './resources.dto';
import { ResourcesService } from './resources.service';
import { Idempotent } from '../../common/idempotency';

@ApiTags('Resources')
@Access('operations')
@Controller('v1/resources')
export class ResourcesController {
  constructor(private readonly resources: ResourcesService) {}

  @Get()
  @ApiOperation({
    operationId: 'getResources',
    summary: 'Gets a list of resources; passwords and private keys are never returned.',
  })
  @ApiQueryOptions('select', 'filter', 'sort', 'take', 'skip')
  @ApiOkResponse({ type: GetResourcesResponse })
  list(@Query(QueryOptionsPipe) options: QueryOptions): Promise<Payload<GetResourcesResponse>> {
    return this.resources.list(options);
  }

  @Post()
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'insertResource',
    summary: 'Inserts a new resource; type RSA, ECDSA or Ed25519 without data generates a signature key pair.',
  })
  @ApiOkResponse({ type: InsertResourceResponse })
  @ApiErrors(
    { code: ErrorCode.Duplicate, when: 'the resource code is taken' },
    { code: ErrorCode.PayloadTooLarge, when: 'data is larger than Application.MaxResourceDataBytes' },
  )
  insert(@Body() request: InsertResourceRequest): Promise<Payload<InsertResourceResponse>> {
    return this.resources.insert(request.resource);
  }

  @Put()
  @ApiOperation({ operationId: 'updateResource', summary: 'Updates an existing resource.' })
  @ApiOkResponse({ type: UpdateResourceResponse })
  @ApiErrors(
    { code: ErrorCode.Duplicate, when: 'the resource code is taken' },
    { code: ErrorCode.PayloadTooLarge, when: 'data is larger than Application.MaxResourceDataBytes' },
  )
  async update(@Body() request: UpdateResourceRequest): Promise<Payload<UpdateResourceResponse>> {
    await this.resources.update(request.resource);
    return EMPTY_PAYLOAD;
  }

  @Delete(':resourceId')
  @ApiOperation({
    operationId: 'deleteResource',
    summary: 'Deletes a resource; refused (409) for a signature key that products, templates or licenses use.',
  })
  @ApiOkResponse({ type: DeleteResourceResponse })
  @ApiErrors({ code: ErrorCode.InUse, when: 'products or license templates still sign with the resource' })
  async delete(@Param('resourceId', IntIdPipe) resourceId: number): Promise<Payload<DeleteResourceResponse>> {
    await this.resources.delete(resourceId);
    return EMPTY_PAYLOAD;
  }
}
