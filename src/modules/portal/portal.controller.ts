import { Controller, Get, HttpCode, Ip, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal, Principal } from '../../common/auth';
import { Payload } from '../../common/envelope';
import { ErrorCode } from '../../common/errors';
import { IntIdPipe } from '../../common/http';
import { ApiErrors } from '../../common/openapi';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import {
  DeactivatePortalMachineResponse,
  GetPortalCustomerResponse,
  GetPortalLicensesResponse,
  GetPortalLicenseTokensResponse,
} from './portal.dto';
import { PortalService } from './portal.service';

@ApiTags('Portal')
@Access('portal')
@ApiErrors(ErrorCode.NoCustomerAccount)
@Controller('v1/portal')
export class PortalController {
  constructor(private readonly portal: PortalService) {}

  @Get('customer')
  @ApiOperation({
    operationId: 'getPortalCustomer',
    summary: 'Gets the customer you belong to and how many machines the portal lets you deactivate.',
  })
  @ApiOkResponse({ type: GetPortalCustomerResponse })
  customer(@CurrentPrincipal() principal: Principal): Promise<Payload<GetPortalCustomerResponse>> {
    return this.portal.customer(principal);
  }

  @Get('licenses')
  @ApiOperation({
    operationId: 'getPortalLicenses',
    summary: "Gets your customer's licenses with their seats in use; filter and sort as on GET /v1/licenses.",
  })
  @ApiQueryOptions('filter', 'sort', 'take', 'skip')
  @ApiOkResponse({ type: GetPortalLicensesResponse })
  licenses(
    @Query(QueryOptionsPipe) options: QueryOptions,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Payload<GetPortalLicensesResponse>> {
    return this.portal.licenses(options, principal);
  }

  @Get('licenses/:licenseId/tokens')
  @ApiOperation({
    operationId: 'getPortalLicenseTokens',
    summary: 'Gets the live activations and floating seats of one of your licenses.',
  })
  @ApiOkResponse({ type: GetPortalLicenseTokensResponse })
  @ApiErrors(ErrorCode.CustomerLicenseNotFound)
  tokens(
    @Param('licenseId', IntIdPipe) licenseId: number,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Payload<GetPortalLicenseTokensResponse>> {
    return this.portal.tokens(licenseId, principal);
  }

  @Post('licenses/:licenseId/tokens/:tokenId/deactivate')
  @Access('portal', 'delete')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'deactivatePortalMachine',
    summary:
      'Frees one activation of your license (a machine you reinstalled or retired), at most Licensing.PortalDeactivationsPer30Days times per license in 30 days.',
  })
  @ApiOkResponse({ type: DeactivatePortalMachineResponse })
  @ApiErrors(
    ErrorCode.CustomerLicenseNotFound,
    ErrorCode.TokenNotFound,
    ErrorCode.WrongLicensingMode,
    ErrorCode.DeactivationLimitReached,
  )
  deactivate(
    @Param('licenseId', IntIdPipe) licenseId: number,
    @Param('tokenId', IntIdPipe) tokenId: number,
    @CurrentPrincipal() principal: Principal,
    @Ip() address: string,
  ): Promise<Payload<DeactivatePortalMachineResponse>> {
    return this.portal.deactivate(licenseId, tokenId, principal, address);
  }
}
