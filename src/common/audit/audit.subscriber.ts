import { Injectable } from '@nestjs/common';
import { DataSource, EntityMetadata, EntitySubscriberInterface, InsertEvent, RemoveEvent, UpdateEvent } from 'typeorm';
import { REDACTED, diffChanges } from './audit-changes';
import { AuditRecorder } from './audit-recorder';

/**
 * The audited tables and the entity type their events name. Tables absent here are not audited: the log,
 * traces and login counters are records of activity, not changes people make; roles are seeded.
 */
export const AUDITED_TABLES: Readonly<Record<string, string>> = {
  users: 'user',
  user_settings: 'userSetting',
  api_keys: 'apiKey',
  customers: 'customer',
  contacts: 'contact',
  orders: 'order',
  order_products: 'orderLine',
  products: 'product',
  product_releases: 'release',
  assemblies: 'assembly',
  resources: 'resource',
  license_templates: 'licenseTemplate',
  licenses: 'license',
  license_tokens: 'licenseToken',
  reports: 'report',
  webhooks: 'webhook',
};

/** Members that change on every write by themselves and say nothing about it. */
const NOISE = new Set(['updatedAt', 'updatedDate']);

/**
 * Records inserts, updates and removals made through TypeORM's entity API (save, remove). The insert uses
 * `event.manager`, the manager of the write's own transaction (save opens one), so the event commits with
 * the row. Deletes by criteria and plain SQL writes do not reach subscribers; their services record them
 * with AuditRecorder.
 */
@Injectable()
export class AuditSubscriber implements EntitySubscriberInterface {
  constructor(
    dataSource: DataSource,
    private readonly recorder: AuditRecorder,
  ) {
    dataSource.subscribers.push(this);
  }

  async afterInsert(event: InsertEvent<Record<string, unknown>>): Promise<void> {
    const entityType = AUDITED_TABLES[event.metadata.tableName];
    if (!entityType || !event.entity) return;
    const fields = auditedFields(event.metadata);
    await this.recorder.record(event.manager, {
      action: `${entityType}.created`,
      entityType,
      entityId: entityId(event.metadata, event.entity),
      changes: diffChanges(fields, undefined, event.entity),
    });
  }

  async afterUpdate(event: UpdateEvent<Record<string, unknown>>): Promise<void> {
    const entityType = AUDITED_TABLES[event.metadata.tableName];
    if (!entityType || !event.entity) return;
    const entity = event.entity as Record<string, unknown>;
    const before = event.databaseEntity as Record<string, unknown> | undefined;
    const updated = event.updatedColumns.map((column) => column.propertyName).filter((name) => !NOISE.has(name));
    const changes = diffChanges(updated, before ?? {}, entity);
    const relationChanges = event.updatedRelations
      .filter((relation) => relation.isManyToMany)
      .map((relation) => [relation.propertyName, relationChange(before, entity, relation.propertyName)] as const);
    const all = { ...(changes ?? {}), ...Object.fromEntries(relationChanges) };
    if (!Object.keys(all).length) return;
    const revoked = entityType === 'license' && all.revoked?.to === true;
    await this.recorder.record(event.manager, {
      action: revoked ? 'license.revoked' : `${entityType}.updated`,
      entityType,
      entityId: entityId(event.metadata, { ...before, ...entity }),
      changes: all,
    });
  }

  async afterRemove(event: RemoveEvent<Record<string, unknown>>): Promise<void> {
    const entityType = AUDITED_TABLES[event.metadata.tableName];
    if (!entityType) return;
    const id = event.entityId ?? (event.databaseEntity ? entityId(event.metadata, event.databaseEntity) : null);
    if (id === null || id === undefined) return;
    await this.recorder.record(event.manager, {
      action: `${entityType}.deleted`,
      entityType,
      entityId: typeof id === 'object' ? JSON.stringify(id) : String(id as string | number),
    });
  }
}

function auditedFields(metadata: EntityMetadata): string[] {
  return metadata.columns.map((column) => column.propertyName).filter((name) => !NOISE.has(name));
}

function entityId(metadata: EntityMetadata, entity: Record<string, unknown>): string | null {
  const ids = metadata.primaryColumns.map((column) => column.getEntityValue(entity) as unknown);
  if (ids.some((id) => id === undefined || id === null)) return null;
  return ids.map(String).join(':');
}

/** A many-to-many relation (a user's roles) as the names or ids of its members. */
function relationChange(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
  property: string,
): { from: unknown; to: unknown } {
  const names = (value: unknown) =>
    Array.isArray(value) ? value.map((member: Record<string, unknown>) => member.name ?? member.id ?? REDACTED) : null;
  return { from: names(before?.[property]), to: names(after[property]) };
}
