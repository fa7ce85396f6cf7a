import { AuditRecorder } from '../../common/audit';
import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { QueryOptions, listPage } from '../../common/query';
import { JOB_LOCKS, PeriodicJob, purgeOlderThan } from '../log/exclusive-job';
import { DatabaseLogService } from '../log/database-log.service';
import { SettingsService } from '../settings/settings.service';
import { base64DecodedLength, decodeBase64 } from './base64';
import { ReportEntity, ReportPropertyEntity } from './report.entity';
import { GetReportResponse, ReportDto, ReportPropertyDto, SubmitReportInput, SubmittedReport } from './reports.dto';
import { REPORT_QUERY } from './reports.query';
import { ReportsRepository } from './reports.repository';

const MAX_PROPERTIES = 200;
const TEXT_LIMITS = {
  name: 128,
  version: 64,
  userKey: 256,
  machineId: 256,
  clientId: 256,
  clientName: 256,
  contentType: 128,
  address: 64,
} as const;
const PROPERTY_NAME_LIMIT = 256;
const PROPERTY_VALUE_LIMIT = 64 * 1024;

function toPropertyDto(property: ReportPropertyEntity): ReportPropertyDto {
  return { id: property.id, name: property.name, value: property.value, reportId: property.reportId };
}

function toReportDto(report: ReportEntity, properties?: ReportPropertyDto[]): ReportDto {
  return {
    id: report.id,
    uid: report.uid,
    name: report.name,
    version: report.version,
    date: report.date.toISOString(),
    userKey: report.userKey,
    machineId: report.machineId,
    clientId: report.clientId,
    clientName: report.clientName,
    contentType: report.contentType,
    content: report.content ? report.content.toString('base64') : null,
    address: report.address,
    properties,
  };
}

@Injectable()
export class ReportsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly purgeJob = new PeriodicJob('ReportRetention', () => this.purgeExpired());

  constructor(
    private readonly audit: AuditRecorder,
    private readonly reports: ReportsRepository,
    private readonly dataSource: DataSource,
    private readonly settings: SettingsService,
    private readonly log: DatabaseLogService,
  ) {}

  onApplicationBootstrap(): void {
    this.purgeJob.start();
  }

  onModuleDestroy(): void {
    this.purgeJob.stop();
  }

  async list(options: QueryOptions): Promise<Payload<GetReportResponse>> {
    const { items, total, nextCursor } = await listPage(REPORT_QUERY, options, {
      // Content can be large: not read at all when select leaves it out.
      read: ({ select }) => this.reports.findPage(options, { withContent: !select || select.includes('content') }),
      toDtos: async (reports, include) => {
        const propertiesByReport = include.includes('properties')
          ? await this.loadProperties(reports.map((report) => report.id))
          : undefined;
        return reports.map((report) =>
          toReportDto(report, propertiesByReport ? (propertiesByReport.get(report.id) ?? []) : undefined),
        );
      },
    });
    return { reports: items, totalReportsCount: total, nextCursor };
  }

  async delete(id: number): Promise<void> {
    const record = { action: 'report.deleted', entityType: 'report', entityId: id };
    if (!(await this.audit.recordIf(record, (manager) => this.reports.delete(id, manager))))
      throw ApiException.notFound(`Report ${id} does not exist`);
  }

  /**
   * Stores a report a client application submitted. Content is base64 of at most
   * Reporting.MaxReportContentBytes decoded bytes; properties are name/value pairs.
   */
  async submit(input: SubmitReportInput): Promise<SubmittedReport> {
    const name = input.name?.trim();
    if (!name)
      throw ApiException.badRequest(
        'report.name is required, e.g. ExceptionReport or LicenseReport',
        ErrorCode.MissingParameter,
      );
    const texts = this.checkTexts({ ...input, name });
    let content: Buffer | null = null;
    if (input.content !== undefined && input.content !== null && input.content !== '') {
      const maxBytes = await this.settings.get<number>('Reporting.MaxReportContentBytes');
      if (base64DecodedLength(input.content) > maxBytes) {
        throw new ApiException(
          ErrorCode.PayloadTooLarge,
          `report.content is larger than Reporting.MaxReportContentBytes (${maxBytes} bytes decoded)`,
          413,
        );
      }
      content = decodeBase64(input.content) ?? null;
      if (!content) throw ApiException.badRequest('report.content must be base64');
    }
    const properties = this.checkProperties(input.properties ?? []);
    const report = await this.dataSource.transaction((manager) =>
      this.reports.insert(manager, { report: { ...texts, content }, properties }),
    );
    return { reportId: report.id, uid: report.uid };
  }

  /** Deletes reports older than Reporting.ReportRetentionDays; runs on one instance at a time. */
  async purgeExpired(): Promise<number> {
    const days = await this.settings.get<number>('Reporting.ReportRetentionDays');
    const deleted = await purgeOlderThan(this.dataSource, JOB_LOCKS.reportPurge, days, (manager, cutoff) =>
      this.reports.deleteOlderThan(manager, cutoff),
    );
    if (deleted > 0)
      this.log.information('Purged {DeletedReportCount} reports older than {RetentionDays} days', {
        DeletedReportCount: deleted,
        RetentionDays: days,
      });
    return deleted;
  }

  private checkTexts(input: SubmitReportInput): Pick<ReportEntity, keyof typeof TEXT_LIMITS> {
    const result: Record<string, string | null> = {};
    for (const [field, limit] of Object.entries(TEXT_LIMITS)) {
      const value = (input as unknown as Record<string, unknown>)[field];
      if (value === undefined || value === null) {
        result[field] = null;
        continue;
      }
      if (typeof value !== 'string') throw ApiException.badRequest(`report.${field} must be text`);
      if (value.length > limit) throw ApiException.badRequest(`report.${field} must be at most ${limit} characters`);
      result[field] = value;
    }
    return result as Pick<ReportEntity, keyof typeof TEXT_LIMITS>;
  }

  private checkProperties(
    properties: NonNullable<SubmitReportInput['properties']>,
  ): Array<{ name: string; value: string | null }> {
    if (!Array.isArray(properties)) throw ApiException.badRequest('report.properties must be a list of {name, value}');
    if (properties.length > MAX_PROPERTIES)
      throw ApiException.badRequest(`report.properties may hold at most ${MAX_PROPERTIES} entries`);
    return properties.map((property, index) => {
      const name = typeof property?.name === 'string' ? property.name.trim() : '';
      if (!name || name.length > PROPERTY_NAME_LIMIT)
        throw ApiException.badRequest(
          `report.properties[${index}].name is required, at most ${PROPERTY_NAME_LIMIT} characters`,
        );
      const value = property.value ?? null;
      if (value !== null && (typeof value !== 'string' || value.length > PROPERTY_VALUE_LIMIT)) {
        throw ApiException.badRequest(
          `report.properties[${index}].value must be text of at most ${PROPERTY_VALUE_LIMIT} characters`,
        );
      }
      return { name, value };
    });
  }

  private async loadProperties(reportIds: number[]): Promise<Map<number, ReportPropertyDto[]>> {
    const byReport = new Map<number, ReportPropertyDto[]>();
    const rows = await this.reports.findPropertiesOfReports(reportIds);
    for (const row of rows) {
      const list = byReport.get(row.reportId) ?? [];
      list.push(toPropertyDto(row));
      byReport.set(row.reportId, list);
    }
    return byReport;
  }
}
