import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Page, PageOptions, applyFilter, findPage } from '../../common/query';
import { LicenseTraceEntity, TraceAction } from './license-trace.entity';
import { LICENSE_TRACE_QUERY } from './licenses.query';

export interface TraceRecord {
  licenseId: number;
  action: TraceAction;
  clientIp?: string | null;
  clientId?: string | null;
  clientName?: string | null;
  machineId?: string | null;
  geoLocation?: string | null;
  meta?: string | null;
}

/** The SQL of license traces. A method that takes `manager` runs in the caller's transaction when given one. */
@Injectable()
export class LicenseTracesRepository {
  constructor(@InjectRepository(LicenseTraceEntity) private readonly traces: Repository<LicenseTraceEntity>) {}

  page(options: PageOptions, scope: { licenseId?: number } = {}): Promise<Page<LicenseTraceEntity>> {
    const qb = this.traces.createQueryBuilder('trace');
    if (scope.licenseId !== undefined) qb.where('trace.licenseId = :licenseId', { licenseId: scope.licenseId });
    return findPage(qb, 'trace', LICENSE_TRACE_QUERY, options);
  }

  /** Inserts the trace only when its license has tracing on; the new trace's id, or null. */
  async insertIfTraced(trace: TraceRecord, manager: EntityManager = this.traces.manager): Promise<number | null> {
    const rows: Array<{ id: number }> = await manager.query(
      `INSERT INTO license_traces (license_id, action, client_ip, client_id, client_name, machine_id, geo_location, meta, created_date)
       SELECT id, $2::smallint, $3::varchar, $4::varchar, $5::varchar, $6::varchar, $7::varchar, $8::text, now() FROM licenses WHERE id = $1::int AND trace
       RETURNING id`,
      [
        trace.licenseId,
        trace.action,
        trace.clientIp ?? null,
        trace.clientId ?? null,
        trace.clientName ?? null,
        trace.machineId ?? null,
        trace.geoLocation ?? null,
        trace.meta ?? null,
      ],
    );
    return rows[0]?.id ?? null;
  }

  /** Deletes the traces matching every condition given (a filter in the list's grammar); how many went. */
  async deleteMatching({
    traceId,
    licenseId,
    filter,
  }: {
    traceId?: number | null;
    licenseId?: number | null;
    filter?: string;
  }): Promise<number> {
    const qb = this.traces.createQueryBuilder('trace').select('trace.id');
    if (traceId) qb.andWhere('trace.id = :traceId', { traceId });
    if (licenseId) qb.andWhere('trace.licenseId = :licenseId', { licenseId });
    applyFilter(qb, 'trace', LICENSE_TRACE_QUERY, filter);
    const [sql, parameters] = qb.getQueryAndParameters();
    const [, deleted] = await this.traces.query<[unknown, number]>(
      `DELETE FROM license_traces WHERE id IN (${sql})`,
      parameters,
    );
    return deleted;
  }
}
