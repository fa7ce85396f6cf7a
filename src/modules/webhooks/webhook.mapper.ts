import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import { WebhookEntity } from './webhook.entity';
import { WebhookDeliveryDto, WebhookDto } from './webhooks.dto';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function toWebhookDto(webhook: WebhookEntity): WebhookDto {
  return {
    id: webhook.id,
    url: webhook.url,
    events: webhook.events,
    enabled: webhook.enabled,
    description: webhook.description,
    consecutiveFailures: webhook.consecutiveFailures,
    createdDate: iso(webhook.createdDate),
    updatedDate: iso(webhook.updatedDate),
  };
}

export function toWebhookDeliveryDto(delivery: WebhookDeliveryEntity): WebhookDeliveryDto {
  return {
    id: Number(delivery.id),
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    responseStatus: delivery.responseStatus,
    lastError: delivery.lastError,
    createdAt: delivery.createdAt.toISOString(),
    nextAttemptAt: iso(delivery.nextAttemptAt),
    deliveredAt: iso(delivery.deliveredAt),
  };
}
