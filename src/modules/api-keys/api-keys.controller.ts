import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { IntIdPipe } from '../../common/http';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, Principal } from '../../common/auth';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import {
  DeleteApiKeyResponse,
  GetApiKeysResponse,
  InsertApiKeyRequest,
  InsertApiKeyResponse,
  UpdateApiKeyRequest,
  UpdateApiKeyResponse,
} from './api-keys.dto';
import { ApiKeysService } from './api-keys.service';
import { EMPTY_PAYLOAD, Payload } from '../../common/envelope';
import { Idempotent } from '../../common/idempotency';

@ApiTags('ApiKeys')
@Access('administration')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @ApiOperation({ operationId: 'getApiKeys', summary: 'Gets the API keys based on the provided request.' })
  @ApiQueryOptions()
  @ApiOkResponse({ type: GetApiKeysResponse })
  list(@Query(QueryOptionsPipe) options: QueryOptions): Promise<Payload<GetApiKeysResponse>> {
    return this.apiKeys.list(options);
  }

  @Post()
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({ operationId: 'insertApiKey', summary: 'Inserts a new API key; the answer carries the key once.' })
  @ApiOkResponse({ type: InsertApiKeyResponse })
  insert(
    @Body() request: InsertApiKeyRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Payload<InsertApiKeyResponse>> {
    return this.apiKeys.insert(request.apiKey, principal);
  }

  @Put()
  @ApiOperation({ operationId: 'updateApiKey', summary: 'Updates the API key with the specified ID.' })
  @ApiOkResponse({ type: UpdateApiKeyResponse })
  async update(@Body() request: UpdateApiKeyRequest): Promise<Payload<UpdateApiKeyResponse>> {
    await this.apiKeys.update(request.apiKey);
    return EMPTY_PAYLOAD;
  }

  @Delete(':apiKeyId')
  @ApiOperation({ operationId: 'deleteApiKey', summary: 'Deletes the API key with the specified ID.' })
  @ApiOkResponse({ type: DeleteApiKeyResponse })
  async delete(@Param('apiKeyId', IntIdPipe) apiKeyId: number): Promise<Payload<DeleteApiKeyResponse>> {
    await this.apiKeys.delete(apiKeyId);
    return EMPTY_PAYLOAD;
  }
}
