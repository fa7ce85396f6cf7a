import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ApiException, ErrorCode } from '../../common/errors';
import { QueryOptions, applyFilter, findPage, parseSelect, pickFields } from '../../common/query';
import { LicenseTraceEntity } from './license-trace.entity';
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
  constructor(@InjectRepository(LicenseTraceEntity) private readonly traces: Repository<LicenseTraceEntity>) {}

  async list(options: QueryOptions, licenseId?: number): Promise<GetLicenseTracesResponse> {
    const select = parseSelect(LICENSE_TRACE_QUERY, options.select);
    const qb = this.traces.createQueryBuilder('trace');
    if (licenseId !== undefined) qb.where('trace.licenseId = :licenseId', { licenseId });
    const { items, total } = await findPage(qb, 'trace', LICENSE_TRACE_QUERY, options);
    return {
      licenseTraces: items.map((trace) => pickFields(toLicenseTraceDto(trace), select)),
      totalLicenseTracesCount: total,
    } as GetLicenseTracesResponse;
  }

  /**
   * Deletes one trace (traceId), a license's traces (licenseId), those matching a filter, or the
   * intersection of what is given. Nothing given is a 400: a bare DELETE must not empty the table.
   */
  async delete(request: DeleteLicenseTraceRequest | undefined): Promise<DeleteLicenseTraceResponse> {
    const { traceId, licenseId } = request ?? {};
    const filter = request?.filter?.trim() || undefined;
    if (!traceId && !licenseId && !filter) {
      throw ApiException.badRequest(
        'Give traceId, licenseId or filter to say which license traces to delete',
        ErrorCode.MissingParameter,
      );
    }
    const qb = this.traces.createQueryBuilder('trace').select('trace.id');
    if (traceId) qb.andWhere('trace.id = :traceId', { traceId });
    if (licenseId) qb.andWhere('trace.licenseId = :licenseId', { licenseId });
    applyFilter(qb, 'trace', LICENSE_TRACE_QUERY, filter);
    const [sql, parameters] = qb.getQueryAndParameters();
    const [, deleted] = (await this.traces.query(`DELETE FROM license_traces WHERE id IN (${sql})`, parameters)) as [
      unknown,
      number,
    ];
    if (traceId && deleted === 0)
      throw ApiException.notFound(
        `License trace ${traceId} does not exist${licenseId || filter ? ' or does not match the other conditions' : ''}`,
      );
    return { message: `${deleted} license trace${deleted === 1 ? '' : 's'} deleted` } as DeleteLicenseTraceResponse;
  }
}
