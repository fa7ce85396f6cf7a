import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, currentRequestContext } from '../request-context';
import type { AuditChanges } from './audit-changes';

/** One change to record; the actor, address and request id come from the request context unless given. */
export interface AuditRecord {
  action: string;
  entityType: string;
  entityId: string | number | null;
  changes?: AuditChanges | null;
  actor?: Actor;
  address?: string | null;
}

const INSERT_EVENT = `INSERT INTO audit_events
  (action, entity_type, entity_id, actor_type, actor_id, actor_name, address, request_id, changes)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)`;

/** The row values of an event, in INSERT_EVENT's parameter order. */
export function auditParameters(record: AuditRecord): unknown[] {
  const context = currentRequestContext();
  const actor = record.actor ?? context.actor;
  return [
    record.action,
    record.entityType,
    record.entityId === null ? null : String(record.entityId),
    actor.type,
    actor.id,
    actor.name?.slice(0, 256) ?? null,
    (record.address !== undefined ? record.address : context.address)?.slice(0, 64) ?? null,
    context.requestId,
    record.changes ? JSON.stringify(record.changes) : null,
  ];
}

/**
 * Writes audit events. Always with the manager of the change's transaction: the event commits with the
 * change or not at all, so a refused or rolled-back request leaves none and a commit never loses one.
 * Every module records through this (the TypeORM subscriber for entity saves, explicit calls for deletes
 * and plain SQL writes); reading the trail is the audit module's.
 */
@Injectable()
export class AuditRecorder {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `write` and records `record` in one transaction when it answers true (a delete that found its row);
   * answers what `write` answered.
   */
  async recordIf(record: AuditRecord, write: (manager: EntityManager) => Promise<boolean>): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const done = await write(manager);
      if (done) await this.record(manager, record);
      return done;
    });
  }

  /** An event that is a write of its own (a failed login), outside any other transaction. */
  async recordAlone(record: AuditRecord): Promise<void> {
    await this.record(this.dataSource.manager, record);
  }

  async record(manager: EntityManager, record: AuditRecord): Promise<void> {
    await manager.query(INSERT_EVENT, auditParameters(record));
  }
}
