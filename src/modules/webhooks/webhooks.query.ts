import { defineQueryEntity } from '../../common/query';

export const WEBHOOK_QUERY = defineQueryEntity({
  name: 'Webhook',
  fields: {
    id: { type: 'number' },
    url: { type: 'string' },
    events: { type: 'string', filterable: false, sortable: false },
    enabled: { type: 'boolean' },
    description: { type: 'string' },
    consecutiveFailures: { type: 'number' },
    createdDate: { type: 'date' },
    updatedDate: { type: 'date' },
  },
});

export const WEBHOOK_DELIVERY_QUERY = defineQueryEntity({
  name: 'WebhookDelivery',
  fields: {
    id: { type: 'number' },
    eventId: { type: 'uuid' },
    eventType: { type: 'string' },
    status: { type: 'string' },
    attempts: { type: 'number' },
    responseStatus: { type: 'number' },
    lastError: { type: 'string' },
    createdAt: { type: 'date' },
    nextAttemptAt: { type: 'date' },
    deliveredAt: { type: 'date' },
  },
});
