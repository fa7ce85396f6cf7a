import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { EMPTY_PAYLOAD, Payload } from '../../common/envelope';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors';
import { ApiErrors } from '../../common/openapi';
import { Access } from '../../common/auth';
import { IntIdPipe } from '../../common/http';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import {
  DeleteLicenseTokenResponse,
  GetLicenseTokensResponse,
  InsertLicenseTokenRequest,
  InsertLicenseTokenResponse,
} from './license-tokens.dto';
import { LicenseTokensService } from './license-tokens.service';
import { Idempotent } from '../../common/idempotency';

@ApiTags('LicenseTokens')
@Access('licensing')
@Controller('v1')
export class LicenseTokensController {
  constructor(private readonly tokens: LicenseTokensService) {}

  @Get('license-tokens')
  @ApiOperation({
    operationId: 'getLicenseTokens',
    summary: 'Retrieves license tokens (activations and floating seats) of every license.',
  })
  @ApiQueryOptions('select', 'filter', 'sort', 'take', 'skip', 'countOnly')
  @ApiOkResponse({ type: GetLicenseTokensResponse })
  list(@Query(QueryOptionsPipe) options: QueryOptions): Promise<Payload<GetLicenseTokensResponse>> {
    return this.tokens.list(options);
  }

  @Get('licenses/:licenseId/tokens')
  @ApiOperation({ operationId: 'getLicenseTokensByLicense', summary: 'Retrieves the tokens of a license.' })
  @ApiQueryOptions('select', 'filter', 'sort', 'take', 'skip', 'countOnly')
  @ApiOkResponse({ type: GetLicenseTokensResponse })
  listForLicense(
    @Param('licenseId', IntIdPipe) licenseId: number,
    @Query(QueryOptionsPipe) options: QueryOptions,
  ): Promise<Payload<GetLicenseTokensResponse>> {
    return this.tokens.list(options, licenseId);
  }

  @Post('licenses/:licenseId/tokens')
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'insertLicenseToken',
    summary: 'Pre-allocates an activation or a floating seat; 409 when the license has no free seat.',
  })
  @ApiOkResponse({ type: InsertLicenseTokenResponse })
  @ApiErrors(ErrorCode.WrongLicensingMode, ErrorCode.LicenseRevoked, ErrorCode.LicenseExpired, ErrorCode.NoFreeSeat)
  insert(
    @Param('licenseId', IntIdPipe) licenseId: number,
    @Body() request: InsertLicenseTokenRequest,
  ): Promise<Payload<InsertLicenseTokenResponse>> {
    return this.tokens.insert(licenseId, request.licenseToken);
  }

  @Delete('licenses/:licenseId/tokens/:tokenId')
  @ApiOperation({ operationId: 'deleteLicenseToken', summary: 'Deletes a token, freeing its activation or seat.' })
  @ApiOkResponse({ type: DeleteLicenseTokenResponse })
  @ApiErrors({
    code: ErrorCode.TokenNotFound,
    when: 'the license has no token tokenId',
    example: 'License 4711 has no token 4711',
  })
  async delete(
    @Param('licenseId', IntIdPipe) licenseId: number,
    @Param('tokenId', IntIdPipe) tokenId: number,
  ): Promise<Payload<DeleteLicenseTokenResponse>> {
    await this.tokens.delete(licenseId, tokenId);
    return EMPTY_PAYLOAD;
  }
}
