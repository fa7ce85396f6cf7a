import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { QueryOptions, listPage } from '../../common/query';
import { SettingsService } from '../settings/settings.service';
import { DatabaseLogService } from './database-log.service';
import { JOB_LOCKS, PeriodicJob, purgeOlderThan } from './exclusive-job';
import { LogEntryEntity } from './log-entry.entity';
import { levelName } from './log-level';
import {
  DeleteLogResponse,
  GetLogLevelsResponse,
  GetLogResponse,
  LOG_GROUP_BY,
  LogEntryDto,
  LogGroupBy,
} from './log.dto';
import { LOG_ENTRY_QUERY } from './log.query';
import { LogDateRange, LogRepository } from './log.repository';

export interface LogRangeQuery {
  startDate?: unknown;
  endDate?: unknown;
}

export interface LogLevelsQuery extends LogRangeQuery {
  intervals?: unknown;
}

export interface DeleteLogQuery extends LogRangeQuery {
  id?: unknown;
  filter?: unknown;
  deleteAll?: unknown;
}

const DEFAULT_LEVELS_RANGE_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_INTERVALS = 24;
const MAX_INTERVALS = 1000;
const MAX_FILTER_LENGTH = 4000;

/** Average lengths, used only to pick the bucket size nearest to range / intervals. */
const BUCKET_MS: Record<LogGroupBy, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
  month: 2_629_746_000,
};

/**
 * The bucket size whose length is nearest (on a log scale) to range / intervals: a day asked in
 * 24 intervals gives hours, a month in 24 or 30 gives days, a year in 12 gives months.
 */
export function chooseGroupBy(rangeMs: number, intervals: number): LogGroupBy {
  const ideal = rangeMs / intervals;
  let best: LogGroupBy = 'minute';
  for (const unit of LOG_GROUP_BY) {
    if (Math.abs(Math.log(ideal / BUCKET_MS[unit])) < Math.abs(Math.log(ideal / BUCKET_MS[best]))) best = unit;
  }
  return best;
}

function toLogEntryDto(entry: LogEntryEntity): LogEntryDto {
  return {
    id: entry.id,
    message: entry.message,
    messageTemplate: entry.messageTemplate,
    level: levelName(entry.level),
    timeStamp: entry.timeStamp.toISOString(),
    exception: entry.exception,
    properties: entry.properties,
  };
}

function optionalText(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw ApiException.badRequest(`${name} may be given only once`, ErrorCode.InvalidQueryOption);
  return value;
}

function optionalDate(name: string, value: unknown): Date | undefined {
  const text = optionalText(name, value);
  if (text === undefined) return undefined;
  const date = /^\d{4}-\d{2}-\d{2}/.test(text.trim()) ? new Date(text.trim()) : new Date(NaN);
  if (Number.isNaN(date.getTime()))
    throw ApiException.badRequest(
      `${name} must be an ISO-8601 date such as 2024-01-31T00:00:00Z, got "${text}"`,
      ErrorCode.InvalidQueryOption,
    );
  return date;
}

function optionalWholeNumber(name: string, value: unknown, min: number, max: number): number | undefined {
  const text = optionalText(name, value);
  if (text === undefined) return undefined;
  const number = /^\d{1,16}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max)
    throw ApiException.badRequest(
      `${name} must be a whole number from ${min} to ${max}, got "${text}"`,
      ErrorCode.InvalidQueryOption,
    );
  return number;
}

function optionalBoolean(name: string, value: unknown): boolean | undefined {
  const text = optionalText(name, value)?.trim().toLowerCase();
  if (text === undefined) return undefined;
  if (text !== 'true' && text !== 'false')
    throw ApiException.badRequest(
      `${name} must be true or false, got "${String(value)}"`,
      ErrorCode.InvalidQueryOption,
    );
  return text === 'true';
}

function dateRange(query: LogRangeQuery): LogDateRange {
  const start = optionalDate('startDate', query.startDate);
  const end = optionalDate('endDate', query.endDate);
  if (start && end && start > end)
    throw ApiException.badRequest('startDate must not be after endDate', ErrorCode.InvalidQueryOption);
  return { start, end };
}

@Injectable()
export class LogService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly purgeJob = new PeriodicJob('LogRetention', () => this.purgeExpired());

  constructor(
    private readonly entries: LogRepository,
    private readonly dataSource: DataSource,
    private readonly databaseLog: DatabaseLogService,
    private readonly settings: SettingsService,
  ) {}

  onApplicationBootstrap(): void {
    this.purgeJob.start();
  }

  onModuleDestroy(): void {
    this.purgeJob.stop();
  }

  /** Newest first unless `sort` says otherwise; includes every call answered before this one. */
  async list(options: QueryOptions, query: LogRangeQuery): Promise<Payload<GetLogResponse>> {
    const { items, total, nextCursor } = await listPage(LOG_ENTRY_QUERY, options, {
      read: async () => {
        const range = dateRange(query);
        await this.databaseLog.flush();
        return this.entries.findPage({ ...options, sort: options.sort ?? 'timeStamp desc' }, range);
      },
      toDtos: (entries) => entries.map(toLogEntryDto),
    });
    return { logEntries: items, totalLogEntriesCount: total, nextCursor };
  }

  /** Counts per level per bucket of `groupBy` (UTC), oldest bucket first. Default range: the last 24 hours. */
  async levels(query: LogLevelsQuery): Promise<Payload<GetLogLevelsResponse>> {
    const range = dateRange(query);
    const intervals = optionalWholeNumber('intervals', query.intervals, 1, MAX_INTERVALS) ?? DEFAULT_INTERVALS;
    const end = range.end ?? (range.start ? new Date(Math.max(Date.now(), range.start.getTime())) : new Date());
    const start = range.start ?? new Date(end.getTime() - DEFAULT_LEVELS_RANGE_MS);
    const groupBy = chooseGroupBy(Math.max(end.getTime() - start.getTime(), 1), intervals);
    await this.databaseLog.flush();
    const rows = await this.entries.countLevels({ groupBy, start, end });
    const logLevels = rows.map((row) => ({
      date: new Date(row.bucket).toISOString(),
      level: levelName(row.level),
      count: row.count,
    }));
    return { logLevels, groupBy, totalLogLevelEntriesCount: logLevels.length };
  }

  /** Deletes by id, filter and/or date range (all given must match), or everything with deleteAll=true. */
  async delete(query: DeleteLogQuery): Promise<Payload<DeleteLogResponse>> {
    const id = optionalWholeNumber('id', query.id, 1, Number.MAX_SAFE_INTEGER);
    const filter = optionalText('filter', query.filter);
    if (filter && filter.length > MAX_FILTER_LENGTH)
      throw ApiException.badRequest(
        `filter is too long (max ${MAX_FILTER_LENGTH} characters)`,
        ErrorCode.InvalidFilter,
      );
    const range = dateRange(query);
    const deleteAll = optionalBoolean('deleteAll', query.deleteAll) ?? false;
    const hasCriteria =
      id !== undefined || filter !== undefined || range.start !== undefined || range.end !== undefined;
    if (deleteAll && hasCriteria) {
      throw ApiException.badRequest(
        'deleteAll=true deletes every entry; leave out id, filter, startDate and endDate, or drop deleteAll to delete only what they match',
        ErrorCode.InvalidQueryOption,
      );
    }
    if (!deleteAll && !hasCriteria) {
      throw ApiException.badRequest(
        'Say which log entries to delete: id, filter, startDate and/or endDate, or deleteAll=true for all of them',
        ErrorCode.MissingParameter,
      );
    }

    // Entries still in the buffer were logged before this call, so they are subject to it too.
    await this.databaseLog.flush();
    const deletedLogCount = await this.entries.deleteMatching({ id, range, filter });
    if (deletedLogCount === 0 && id !== undefined && !filter && !range.start && !range.end)
      throw ApiException.notFound(`Log entry ${id} does not exist`);
    return {
      deletedLogCount,
      message: `A total of ${deletedLogCount} log entries have been deleted.`,
    };
  }

  /** Deletes entries older than Application.LogRetentionDays; runs on one instance at a time. */
  async purgeExpired(): Promise<number> {
    const days = await this.settings.get<number>('Application.LogRetentionDays');
    const deleted = await purgeOlderThan(this.dataSource, JOB_LOCKS.logPurge, days, (manager, cutoff) =>
      this.entries.deleteOlderThan(manager, cutoff),
    );
    if (deleted > 0)
      this.databaseLog.information('Purged {DeletedLogCount} log entries older than {RetentionDays} days', {
        DeletedLogCount: deleted,
        RetentionDays: days,
      });
    return deleted;
  }
}
