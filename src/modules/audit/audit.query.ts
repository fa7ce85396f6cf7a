import { defineQueryEntity } from '../../common/query';

export const ACTOR_TYPES = ['user', 'apiKey', 'client', 'system'] as const;

export const AUDIT_EVENT_QUERY = defineQueryEntity({
  name: 'AuditEvent',
  fields: {
    id: { type: 'number' },
    createdAt: { type: 'date' },
    action: { type: 'string' },
    entityType: { type: 'string' },
    entityId: { type: 'string' },
    actorType: { type: 'string' },
    actorId: { type: 'string' },
    actorName: { type: 'string' },
    address: { type: 'string' },
    requestId: { type: 'string' },
    changes: { type: 'string', filterable: false, sortable: false },
  },
});
