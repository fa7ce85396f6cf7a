import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { EMPTY_PAYLOAD, Payload } from '../../common/envelope';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors';
import { ApiErrors } from '../../common/openapi';
import { Access } from '../../common/auth';
import { IntIdPipe } from '../../common/http';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import {
  DeleteLicenseTemplateResponse,
  GetLicenseTemplatesResponse,
  GetProductReleaseLicenseTemplatesResponse,
  InsertLicenseTemplateRequest,
  InsertLicenseTemplateResponse,
  UpdateLicenseTemplateRequest,
  UpdateLicenseTemplateResponse,
} from './license-templates.dto';
import { LicenseTemplatesService } from './license-templates.service';
import { Idempotent } from '../../common/idempotency';

@ApiTags('LicenseTemplates')
@Access('licensing')
@Controller('v1')
export class LicenseTemplatesController {
  constructor(private readonly templates: LicenseTemplatesService) {}

  @Get('license-templates')
  @ApiOperation({
    operationId: 'getLicenseTemplates',
    summary: 'Retrieves license templates based on the provided request parameters.',
  })
  @ApiQueryOptions()
  @ApiOkResponse({ type: GetLicenseTemplatesResponse })
  list(@Query(QueryOptionsPipe) options: QueryOptions): Promise<Payload<GetLicenseTemplatesResponse>> {
    return this.templates.list(options);
  }

  @Post('license-templates')
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'insertLicenseTemplate',
    summary: 'Inserts a new license template; answers its id and the rendered template.',
  })
  @ApiOkResponse({ type: InsertLicenseTemplateResponse })
  insert(@Body() request: InsertLicenseTemplateRequest): Promise<Payload<InsertLicenseTemplateResponse>> {
    return this.templates.insert(request.licenseTemplate);
  }

  @Put('license-templates')
  @ApiOperation({
    operationId: 'updateLicenseTemplate',
    summary: 'Updates an existing license template; answers the rendered template.',
  })
  @ApiOkResponse({ type: UpdateLicenseTemplateResponse })
  update(@Body() request: UpdateLicenseTemplateRequest): Promise<Payload<UpdateLicenseTemplateResponse>> {
    return this.templates.update(request.licenseTemplate);
  }

  @Delete('license-templates/:templateId')
  @ApiOperation({
    operationId: 'deleteLicenseTemplate',
    summary: 'Deletes a license template no license uses (409 otherwise).',
  })
  @ApiOkResponse({ type: DeleteLicenseTemplateResponse })
  @ApiErrors({ code: ErrorCode.InUse, when: 'licenses were made from the template' })
  async delete(@Param('templateId', IntIdPipe) templateId: number): Promise<Payload<DeleteLicenseTemplateResponse>> {
    await this.templates.delete(templateId);
    return EMPTY_PAYLOAD;
  }

  @Get('products/:productId/releases/:releaseId/license-templates')
  @ApiOperation({
    operationId: 'getProductReleaseLicenseTemplates',
    summary: 'Gets the license templates of a product release.',
  })
  @ApiQueryOptions('select', 'filter', 'sort', 'take', 'skip')
  @ApiOkResponse({ type: GetProductReleaseLicenseTemplatesResponse })
  listForRelease(
    @Param('productId', IntIdPipe) productId: number,
    @Param('releaseId', IntIdPipe) releaseId: number,
    @Query(QueryOptionsPipe) options: QueryOptions,
  ): Promise<Payload<GetProductReleaseLicenseTemplatesResponse>> {
    return this.templates.listForRelease(productId, releaseId, options);
  }
}
