import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { Page, PageOptions, applyFilter, findPage } from '../../common/query';
import { LogEntryEntity } from './log-entry.entity';
import type { LogGroupBy } from './log.dto';
import { LOG_ENTRY_QUERY } from './log.query';

/** One entry waiting in memory for the next batch INSERT. */
export interface PendingLogEntry {
  timeStamp: Date;
  level: number;
  message: string;
  messageTemplate: string;
  exception: string | null;
  properties: string | null;
}

/** Both ends inclusive; either may be open. */
export interface LogDateRange {
  start?: Date;
  end?: Date;
}

function applyRange(qb: SelectQueryBuilder<LogEntryEntity>, range: LogDateRange): void {
  if (range.start) qb.andWhere('entry.time_stamp >= :rangeStart', { rangeStart: range.start });
  if (range.end) qb.andWhere('entry.time_stamp <= :rangeEnd', { rangeEnd: range.end });
}

/** The queries of the database log. Takes the DataSource alone, so the buffered writer can be built without Nest. */
@Injectable()
export class LogRepository {
  constructor(private readonly dataSource: DataSource) {}

  findPage(options: PageOptions, range: LogDateRange): Promise<Page<LogEntryEntity>> {
    const qb = this.dataSource.getRepository(LogEntryEntity).createQueryBuilder('entry');
    applyRange(qb, range);
    return findPage(qb, 'entry', LOG_ENTRY_QUERY, options);
  }

  /** Entries per level per `groupBy` bucket (UTC) between `start` and `end`, oldest bucket first. */
  countLevels({
    groupBy,
    start,
    end,
  }: {
    groupBy: LogGroupBy;
    start: Date;
    end: Date;
  }): Promise<Array<{ bucket: Date; level: number; count: number }>> {
    return this.dataSource.query(
      `SELECT date_trunc($1, time_stamp AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket, level, count(*)::int AS count
         FROM log_entries
        WHERE time_stamp >= $2 AND time_stamp <= $3
        GROUP BY 1, 2
        ORDER BY 1, 2`,
      [groupBy, start, end],
    );
  }

  /** Deletes the entries that match every criterion given; answers how many. */
  async deleteMatching({ id, range, filter }: { id?: number; range: LogDateRange; filter?: string }): Promise<number> {
    const qb = this.dataSource.getRepository(LogEntryEntity).createQueryBuilder('entry').select('entry.id');
    if (id !== undefined) qb.andWhere('entry.id = :entryId', { entryId: id });
    applyRange(qb, range);
    applyFilter(qb, 'entry', LOG_ENTRY_QUERY, filter);
    const [matching, parameters] = qb.getQueryAndParameters();
    const rows: Array<{ count: number }> = await this.dataSource.query(
      `WITH deleted AS (DELETE FROM log_entries WHERE id IN (${matching}) RETURNING 1) SELECT count(*)::int AS count FROM deleted`,
      parameters,
    );
    return rows[0]?.count ?? 0;
  }

  /** Deletes the entries logged before `cutoff`; answers how many. */
  async deleteOlderThan(manager: EntityManager, cutoff: Date): Promise<number> {
    const rows: Array<{ count: number }> = await manager.query(
      'WITH deleted AS (DELETE FROM log_entries WHERE time_stamp < $1 RETURNING 1) SELECT count(*)::int AS count FROM deleted',
      [cutoff],
    );
    return rows[0]?.count ?? 0;
  }

  /**
   * One statement of six array parameters, whatever the batch size: PostgreSQL parses and plans the
   * same short text every time, where a VALUES list of 6 × n parameters cost it a new parse and plan
   * per batch.
   */
  async insert(entries: PendingLogEntry[]): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO log_entries (time_stamp, level, message, message_template, exception, properties)
       SELECT * FROM unnest($1::timestamptz[], $2::smallint[], $3::text[], $4::text[], $5::text[], $6::text[])`,
      [
        entries.map((entry) => entry.timeStamp),
        entries.map((entry) => entry.level),
        entries.map((entry) => entry.message),
        entries.map((entry) => entry.messageTemplate),
        entries.map((entry) => entry.exception),
        entries.map((entry) => entry.properties),
      ],
    );
  }
}
