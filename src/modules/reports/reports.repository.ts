import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { Page, PageOptions, findPage } from '../../common/query';
import { ReportEntity, ReportPropertyEntity } from './report.entity';
import { REPORT_QUERY } from './reports.query';

/** The report's own columns, written as submitted. */
export type ReportValues = Omit<ReportEntity, 'id' | 'uid' | 'date' | 'properties'>;

@Injectable()
export class ReportsRepository {
  constructor(
    @InjectRepository(ReportEntity) private readonly reports: Repository<ReportEntity>,
    @InjectRepository(ReportPropertyEntity) private readonly properties: Repository<ReportPropertyEntity>,
  ) {}

  /** A page of reports; without `withContent` the (possibly large) content column is not read at all. */
  findPage(options: PageOptions, { withContent }: { withContent: boolean }): Promise<Page<ReportEntity>> {
    const qb = this.reports.createQueryBuilder('report');
    if (!withContent) {
      const columns = this.reports.metadata.columns
        .filter((column) => column.propertyName !== 'content')
        .map((column) => `report.${column.propertyName}`);
      qb.select(columns);
    }
    return findPage(qb, 'report', REPORT_QUERY, options);
  }

  /** The properties of these reports, by report and then id. */
  findPropertiesOfReports(reportIds: number[]): Promise<ReportPropertyEntity[]> {
    if (reportIds.length === 0) return Promise.resolve([]);
    return this.properties.find({ where: { reportId: In(reportIds) }, order: { reportId: 'ASC', id: 'ASC' } });
  }

  /** Stores the report and its properties in the caller's transaction; answers the stored report. */
  async insert(
    manager: EntityManager,
    { report, properties }: { report: ReportValues; properties: Array<{ name: string; value: string | null }> },
  ): Promise<ReportEntity> {
    const saved = await manager.save(ReportEntity, manager.create(ReportEntity, report));
    if (properties.length) {
      await manager.insert(
        ReportPropertyEntity,
        properties.map((property) => ({ ...property, reportId: saved.id })),
      );
    }
    return saved;
  }

  /** False when there was no such report. Its properties go with it. */
  async delete(reportId: number, manager: EntityManager = this.reports.manager): Promise<boolean> {
    const result = await manager.delete(ReportEntity, { id: reportId });
    return Boolean(result.affected);
  }

  /** Deletes the reports dated before `cutoff`; answers how many. */
  async deleteOlderThan(manager: EntityManager, cutoff: Date): Promise<number> {
    const rows: Array<{ count: number }> = await manager.query(
      'WITH deleted AS (DELETE FROM reports WHERE date < $1 RETURNING 1) SELECT count(*)::int AS count FROM deleted',
      [cutoff],
    );
    return rows[0]?.count ?? 0;
  }
}
