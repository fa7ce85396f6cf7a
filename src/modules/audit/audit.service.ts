import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Payload } from '../../common/envelope';
import { QueryOptions, listPage } from '../../common/query';
import { DAY_MS, JOB_LOCKS, PeriodicJob, purgeOlderThan } from '../log/exclusive-job';
import { DatabaseLogService } from '../log/database-log.service';
import { SettingsService } from '../settings/settings.service';
import { AuditEventEntity } from './audit-event.entity';
import { AuditEventDto, GetAuditEventsResponse } from './audit.dto';
import { AUDIT_EVENT_QUERY } from './audit.query';
import { AuditRepository } from './audit.repository';

export function toAuditEventDto(event: AuditEventEntity): AuditEventDto {
  return {
    id: Number(event.id),
    createdAt: event.createdAt.toISOString(),
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    actorType: event.actorType,
    actorId: event.actorId,
    actorName: event.actorName,
    address: event.address,
    requestId: event.requestId,
    changes: event.changes,
  };
}

/** Reads the audit trail and keeps it within Application.AuditRetentionDays (a daily job, one instance at a time). */
@Injectable()
export class AuditService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly purgeJob = new PeriodicJob('AuditRetention', () => this.purgeExpired());

  constructor(
    private readonly events: AuditRepository,
    private readonly dataSource: DataSource,
    private readonly settings: SettingsService,
    private readonly log: DatabaseLogService,
  ) {}

  onApplicationBootstrap(): void {
    this.purgeJob.start(undefined, DAY_MS);
  }

  onModuleDestroy(): void {
    this.purgeJob.stop();
  }

  /** Newest first unless `sort` says otherwise. */
  async list(options: QueryOptions): Promise<Payload<GetAuditEventsResponse>> {
    const { items, total, nextCursor } = await listPage(AUDIT_EVENT_QUERY, options, {
      read: () => this.events.findPage({ ...options, sort: options.sort ?? 'Id desc' }),
      toDtos: (events) => events.map(toAuditEventDto),
    });
    return { auditEvents: items, totalAuditEventsCount: total, nextCursor };
  }

  /** Deletes events older than Application.AuditRetentionDays; another instance holding the lock means it is done. */
  async purgeExpired(): Promise<number> {
    const days = await this.settings.get<number>('Application.AuditRetentionDays');
    const deleted = await purgeOlderThan(this.dataSource, JOB_LOCKS.auditPurge, days, (manager, cutoff) =>
      this.events.deleteOlderThan(manager, cutoff),
    );
    if (deleted > 0)
      this.log.information('Purged {DeletedAuditEventCount} audit events older than {RetentionDays} days', {
        DeletedAuditEventCount: deleted,
        RetentionDays: days,
      });
    return deleted;
  }
}
