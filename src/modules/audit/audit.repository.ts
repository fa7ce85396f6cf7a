import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Page, PageOptions, findPage } from '../../common/query';
import { AuditEventEntity } from './audit-event.entity';
import { AUDIT_EVENT_QUERY } from './audit.query';

@Injectable()
export class AuditRepository {
  constructor(@InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>) {}

  findPage(options: PageOptions): Promise<Page<AuditEventEntity>> {
    return findPage(this.events.createQueryBuilder('auditEvent'), 'auditEvent', AUDIT_EVENT_QUERY, options);
  }

  /** How many went; runs in the purge job's transaction (which holds its advisory lock). */
  async deleteOlderThan(manager: EntityManager, cutoff: Date): Promise<number> {
    const rows: Array<{ count: number }> = await manager.query(
      'WITH deleted AS (DELETE FROM audit_events WHERE created_at < $1 RETURNING 1) SELECT count(*)::int AS count FROM deleted',
      [cutoff],
    );
    return rows[0]?.count ?? 0;
  }
}
