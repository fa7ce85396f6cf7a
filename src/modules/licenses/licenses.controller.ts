import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { EMPTY_PAYLOAD, Payload } from '../../common/envelope';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors';
import { ApiErrors } from '../../common/openapi';
import { Access, CurrentPrincipal, Principal } from '../../common/auth';
import { IntIdPipe } from '../../common/http';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import {
  DeleteLicenseResponse,
  GetCustomerLicensesResponse,
  GetLicensesResponse,
  GetLicenseTemplateLicensesResponse,
  GetOrderLicensesResponse,
  InsertLicenseRequest,
  InsertLicenseResponse,
  UpdateLicenseRequest,
  UpdateLicenseResponse,
} from './licenses.dto';
import { LicensesService } from './licenses.service';
import { Idempotent } from '../../common/idempotency';

@ApiTags('Licenses')
@Access('licenses')
@Controller('v1')
export class LicensesController {
  constructor(private readonly licenses: LicensesService) {}

  @Get('licenses')
  @ApiOperation({ operationId: 'getLicenses', summary: 'Retrieves licenses based on the provided request parameters.' })
  @ApiQueryOptions()
  @ApiOkResponse({ type: GetLicensesResponse })
  list(
    @Query(QueryOptionsPipe) options: QueryOptions,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Payload<GetLicensesResponse>> {
    return this.licenses.list(options, principal);
  }

  @Post('licenses')
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'insertLicense',
    summary: 'Generates, signs and stores a new license, from a template or on its own.',
  })
  @ApiOkResponse({ type: InsertLicenseResponse })
  @ApiErrors({ code: ErrorCode.Duplicate, when: 'license.licenseId or license.userKey is taken' })
  insert(@Body() request: InsertLicenseRequest): Promise<Payload<InsertLicenseResponse>> {
    return this.licenses.insert(request.license);
  }

  @Put('licenses')
  @ApiOperation({
    operationId: 'updateLicense',
    summary: 'Updates an existing license; signs it anew when its signed content changes.',
  })
  @ApiOkResponse({ type: UpdateLicenseResponse })
  @ApiErrors({ code: ErrorCode.Duplicate, when: 'license.licenseId or license.userKey is taken' })
  update(@Body() request: UpdateLicenseRequest): Promise<Payload<UpdateLicenseResponse>> {
    return this.licenses.update(request.license);
  }

  @Delete('licenses/:licenseId')
  @ApiOperation({ operationId: 'deleteLicense', summary: 'Deletes a license with its tokens and traces.' })
  @ApiOkResponse({ type: DeleteLicenseResponse })
  async delete(@Param('licenseId', IntIdPipe) licenseId: number): Promise<Payload<DeleteLicenseResponse>> {
    await this.licenses.delete(licenseId);
    return EMPTY_PAYLOAD;
  }

  @Get('customers/:customerId/licenses')
  @ApiOperation({ operationId: 'getCustomerLicenses', summary: 'Gets the licenses of a customer.' })
  @ApiQueryOptions('select', 'filter', 'sort', 'take', 'skip')
  @ApiOkResponse({ type: GetCustomerLicensesResponse })
  listForCustomer(
    @Param('customerId', IntIdPipe) customerId: number,
    @Query(QueryOptionsPipe) options: QueryOptions,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Payload<GetCustomerLicensesResponse>> {
    return this.licenses.list(options, principal, { customerId });
  }

  @Get('orders/:orderId/licenses')
  @ApiOperation({ operationId: 'getOrderLicenses', summary: 'Gets the licenses of an order.' })
  @ApiQueryOptions('select', 'filter', 'sort', 'take', 'skip')
  @ApiOkResponse({ type: GetOrderLicensesResponse })
  listForOrder(
    @Param('orderId', IntIdPipe) orderId: number,
    @Query(QueryOptionsPipe) options: QueryOptions,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Payload<GetOrderLicensesResponse>> {
    return this.licenses.list(options, principal, { orderId });
  }

  @Get('license-templates/:templateId/licenses')
  @ApiOperation({
    operationId: 'getLicenseTemplateLicenses',
    summary: 'Gets the licenses made from a license template.',
  })
  @ApiQueryOptions('select', 'filter', 'sort', 'take', 'skip')
  @ApiOkResponse({ type: GetLicenseTemplateLicensesResponse })
  listForTemplate(
    @Param('templateId', IntIdPipe) templateId: number,
    @Query(QueryOptionsPipe) options: QueryOptions,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Payload<GetLicenseTemplateLicensesResponse>> {
    return this.licenses.list(options, principal, { templateId });
  }
}
