import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import {
  Nested,
  OptionalBoolean,
  OptionalDate,
  OptionalInt,
  OptionalString,
  OptionalStringArray,
  Out,
} from '../../common/dto';
import { ApiListResponseDto, ApiResponseDto, TotalCount } from '../../common/envelope';
import { DELIVERY_STATUSES } from './webhook-delivery.entity';

@ApiSchema({ name: 'Management.Webhook' })
export class WebhookDto {
  @OptionalInt({ description: 'Id; required by update, ignored by insert' }) id?: number;
  @OptionalString(2048, 'http or https URL the events are POSTed to; required by insert') url?: string;
  @OptionalStringArray(64, 'Event types (license.created, seat.exhausted, …), or ["*"] for all; required by insert')
  events?: string[];
  @OptionalBoolean('A disabled webhook receives nothing; true by default') enabled?: boolean;
  @OptionalString(512) description?: string | null;
  @OptionalInt({ description: 'Deliveries failed in a row (set by the server)' }) consecutiveFailures?: number;
  @OptionalDate('Set by the server') createdDate?: string | null;
  @OptionalDate('Set by the server') updatedDate?: string | null;
}

@ApiSchema({ name: 'Management.InsertWebhookRequest' })
export class InsertWebhookRequest {
  @Nested(() => WebhookDto, { required: true }) webhook: WebhookDto;
}

@ApiSchema({ name: 'Management.UpdateWebhookRequest' })
export class UpdateWebhookRequest {
  @Nested(() => WebhookDto, { required: true }) webhook: WebhookDto;
}

@ApiSchema({ name: 'Management.GetWebhooksResponse' })
export class GetWebhooksResponse extends ApiListResponseDto {
  @ApiProperty({ type: [WebhookDto] }) webhooks: Partial<WebhookDto>[];
  @TotalCount() totalWebhooksCount: number | null;
}

@ApiSchema({ name: 'Management.InsertWebhookResponse' })
export class InsertWebhookResponse extends ApiResponseDto {
  @ApiProperty() webhookId: number;
  @ApiProperty({
    description: 'The signing secret (whsec_ and 32 characters); shown only this once',
    example: 'whsec_2n8cV0yq3b1xkq3l9c0Zc2Jm5rLr9pQe',
  })
  secret: string;
}

@ApiSchema({ name: 'Management.UpdateWebhookResponse' })
export class UpdateWebhookResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.DeleteWebhookResponse' })
export class DeleteWebhookResponse extends ApiResponseDto {}

@ApiSchema({ name: 'Management.TestWebhookResponse' })
export class TestWebhookResponse extends ApiResponseDto {
  @ApiProperty({ format: 'uuid', description: 'The id of the webhook.test event queued' }) eventId: string;
  @ApiProperty({ description: 'Its delivery (GET /v1/webhooks/{webhookId}/deliveries)' }) webhookDeliveryId: number;
}

@ApiSchema({ name: 'Management.WebhookDelivery' })
export class WebhookDeliveryDto {
  @Out({ type: 'integer', format: 'int64' }) id?: number;
  @Out({ type: String, format: 'uuid', description: 'The event id, sent as Licensing-Event-Id' }) eventId?: string;
  @Out({ description: 'license.created, seat.exhausted, webhook.test, …' }) eventType?: string;
  @Out({ enum: [...DELIVERY_STATUSES] }) status?: string;
  @Out({ type: 'integer', description: 'Attempts made so far' }) attempts?: number;
  @Out({ type: 'integer', nullable: true, description: "The receiver's HTTP status at the last attempt" })
  responseStatus?: number | null;
  @Out({ type: String, nullable: true, description: 'Why the last attempt failed' }) lastError?: string | null;
  @Out({ type: String, format: 'date-time' }) createdAt?: string;
  @Out({ type: String, format: 'date-time', nullable: true, description: 'When the next attempt is due' })
  nextAttemptAt?: string | null;
  @Out({ type: String, format: 'date-time', nullable: true }) deliveredAt?: string | null;
}

@ApiSchema({ name: 'Management.GetWebhookDeliveriesResponse' })
export class GetWebhookDeliveriesResponse extends ApiListResponseDto {
  @ApiProperty({ type: [WebhookDeliveryDto] }) webhookDeliveries: Partial<WebhookDeliveryDto>[];
  @TotalCount() totalWebhookDeliveriesCount: number | null;
}

@ApiSchema({ name: 'Management.RedeliverWebhookDeliveryResponse' })
export class RedeliverWebhookDeliveryResponse extends ApiResponseDto {}
