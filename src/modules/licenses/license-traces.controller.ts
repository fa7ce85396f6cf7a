import { ArgumentMetadata, Body, Controller, Delete, Get, Injectable, PipeTransform, Query } from '@nestjs/common';
import { Payload } from '../../common/envelope';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors';
import { ApiErrors } from '../../common/openapi';
import { Access } from '../../common/auth';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import { DeleteLicenseTraceRequest, DeleteLicenseTraceResponse, GetLicenseTracesResponse } from './license-traces.dto';
import { LicenseTracesService } from './license-traces.service';
import { IntIdPipe } from '../../common/http';

/** `licenseId` is optional here; when given it must be a valid id. */
@Injectable()
class OptionalIntPipe implements PipeTransform<string | undefined, number | undefined> {
  private readonly required = new IntIdPipe();

  transform(value: string | undefined, metadata: ArgumentMetadata): number | undefined {
    return value === undefined || value === '' ? undefined : this.required.transform(value, metadata);
  }
}

@ApiTags('LicenseTraces')
@Access('licensing')
@Controller('v1/license-traces')
export class LicenseTracesController {
  constructor(private readonly traces: LicenseTracesService) {}

  @Get()
  @ApiOperation({ operationId: 'getLicenseTraces', summary: 'Retrieves license traces, of every license or of one.' })
  @ApiQuery({
    name: 'licenseId',
    required: false,
    type: 'integer',
    description: 'Only the traces of this license (row id)',
  })
  @ApiQueryOptions('select', 'filter', 'sort', 'take', 'skip')
  @ApiOkResponse({ type: GetLicenseTracesResponse })
  list(
    @Query(QueryOptionsPipe) options: QueryOptions,
    @Query('licenseId', OptionalIntPipe) licenseId?: number,
  ): Promise<Payload<GetLicenseTracesResponse>> {
    return this.traces.list(options, licenseId);
  }

  @Delete()
  @ApiOperation({
    operationId: 'deleteLicenseTrace',
    summary: 'Deletes license traces by traceId, licenseId or filter (at least one).',
  })
  @ApiOkResponse({ type: DeleteLicenseTraceResponse })
  @ApiErrors(
    { code: ErrorCode.MissingParameter, when: 'none of traceId, licenseId or filter is given' },
    { code: ErrorCode.NotFound, when: 'no license trace has traceId', example: 'License trace 4711 does not exist' },
  )
  delete(@Body() request: DeleteLicenseTraceRequest): Promise<Payload<DeleteLicenseTraceResponse>> {
    return this.traces.delete(request);
  }
}
