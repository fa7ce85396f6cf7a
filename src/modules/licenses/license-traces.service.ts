import { Injectable } from '@nestjs/common';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { QueryOptions, listPage } from '../../common/query';
import { LicenseTraceEntity } from './license-trace.entity';
import { LicenseTracesRepository } from './license-traces.repository';
import {
  DeleteLicenseTraceRequest,
  DeleteLicenseTraceResponse,
  GetLicenseTracesResponse,
  LicenseTraceDto,
} from './license-traces.dto';
import { LICENSE_TRACE_QUERY } from './licenses.query';

export function toLicenseTraceDto(trace: LicenseTraceEntity): LicenseTraceDto {
  return {
    id: trace.id,
    clientIp: trace.clientIp,
    clientId: trace.clientId,
    clientName: trace.clientName,
    machineId: trace.machineId,
    createdDate: trace.createdDate.toISOString(),
    action: trace.action,
    geoLocation: trace.geoLocation,
    meta: trace.meta,
    licenseId: trace.licenseId,
  };
}

/** Traces are written by LicenseTokensService.recordTrace; here they are listed and cleaned up. */
@Injectable()
export class LicenseTracesService {
  constructor(private readonly traces: LicenseTracesRepository) {}

  async list(options: QueryOptions, licenseId?: number): Promise<Payload<GetLicenseTracesResponse>> {
    // Traces have nothing to include.
    const { items, total, nextCursor } = await listPage(
      LICENSE_TRACE_QUERY,
      { select: options.select },
      { read: () => this.traces.page(options, { licenseId }), toDtos: (rows) => rows.map(toLicenseTraceDto) },
    );
    return { licenseTraces: items, totalLicenseTracesCount: total, nextCursor };
  }

  /**
   * Deletes one trace (traceId), a license's traces (licenseId), those matching a filter, or the
   * intersection of what is given. Nothing given is a 400: a bare DELETE must not empty the table.
   */
  async delete(request: DeleteLicenseTraceRequest | undefined): Promise<Payload<DeleteLicenseTraceResponse>> {
    const { traceId, licenseId } = request ?? {};
    const filter = request?.filter?.trim() || undefined;
    if (!traceId && !licenseId && !filter) {
      throw ApiException.badRequest(
        'Give traceId, licenseId or filter to say which license traces to delete',
        ErrorCode.MissingParameter,
      );
    }
    const deleted = await this.traces.deleteMatching({ traceId, licenseId, filter });
    if (traceId && deleted === 0)
      throw ApiException.notFound(
        `License trace ${traceId} does not exist${licenseId || filter ? ' or does not match the other conditions' : ''}`,
      );
    return { message: `${deleted} license trace${deleted === 1 ? '' : 's'} deleted` };
  }
}
