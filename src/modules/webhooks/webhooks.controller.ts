import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth';
import { EMPTY_PAYLOAD, Payload } from '../../common/envelope';
import { ErrorCode } from '../../common/errors';
import { IntIdPipe } from '../../common/http';
import { Idempotent } from '../../common/idempotency';
import { ApiErrors } from '../../common/openapi/api-errors.decorator';
import { ApiQueryOptions, QueryOptions, QueryOptionsPipe } from '../../common/query';
import {
  DeleteWebhookResponse,
  GetWebhookDeliveriesResponse,
  GetWebhooksResponse,
  InsertWebhookRequest,
  InsertWebhookResponse,
  RedeliverWebhookDeliveryResponse,
  TestWebhookResponse,
  UpdateWebhookRequest,
  UpdateWebhookResponse,
} from './webhooks.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('Webhooks')
@Access('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @ApiOperation({ operationId: 'getWebhooks', summary: 'Gets the webhooks (never their secrets).' })
  @ApiQueryOptions()
  @ApiOkResponse({ type: GetWebhooksResponse })
  list(@Query(QueryOptionsPipe) options: QueryOptions): Promise<Payload<GetWebhooksResponse>> {
    return this.webhooks.list(options);
  }

  @Post()
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'insertWebhook',
    summary: 'Inserts a webhook; the answer carries its signing secret once.',
  })
  @ApiErrors(ErrorCode.InvalidWebhookUrl, ErrorCode.UnknownWebhookEvent)
  @ApiOkResponse({ type: InsertWebhookResponse })
  insert(@Body() request: InsertWebhookRequest): Promise<Payload<InsertWebhookResponse>> {
    return this.webhooks.insert(request.webhook);
  }

  @Put()
  @ApiOperation({ operationId: 'updateWebhook', summary: 'Updates the webhook with the specified ID.' })
  @ApiErrors(ErrorCode.InvalidWebhookUrl, ErrorCode.UnknownWebhookEvent)
  @ApiOkResponse({ type: UpdateWebhookResponse })
  async update(@Body() request: UpdateWebhookRequest): Promise<Payload<UpdateWebhookResponse>> {
    await this.webhooks.update(request.webhook);
    return EMPTY_PAYLOAD;
  }

  @Delete(':webhookId')
  @ApiOperation({
    operationId: 'deleteWebhook',
    summary: 'Deletes the webhook with the specified ID and its deliveries.',
  })
  @ApiOkResponse({ type: DeleteWebhookResponse })
  async delete(@Param('webhookId', IntIdPipe) webhookId: number): Promise<Payload<DeleteWebhookResponse>> {
    await this.webhooks.delete(webhookId);
    return EMPTY_PAYLOAD;
  }

  @Post(':webhookId/test')
  @Access('webhooks', 'send')
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({ operationId: 'testWebhook', summary: 'Queues a webhook.test event for this webhook.' })
  @ApiErrors(ErrorCode.WebhookDisabled)
  @ApiOkResponse({ type: TestWebhookResponse })
  test(@Param('webhookId', IntIdPipe) webhookId: number): Promise<Payload<TestWebhookResponse>> {
    return this.webhooks.test(webhookId);
  }

  @Get(':webhookId/deliveries')
  @ApiOperation({
    operationId: 'getWebhookDeliveries',
    summary:
      "Gets the webhook's deliveries, newest first. Filter on Status, EventType, CreatedAt (and the other members).",
  })
  @ApiQueryOptions()
  @ApiOkResponse({ type: GetWebhookDeliveriesResponse })
  deliveries(
    @Param('webhookId', IntIdPipe) webhookId: number,
    @Query(QueryOptionsPipe) options: QueryOptions,
  ): Promise<Payload<GetWebhookDeliveriesResponse>> {
    return this.webhooks.deliveries(webhookId, options);
  }

  @Post(':webhookId/deliveries/:deliveryId/redeliver')
  @Access('webhooks', 'send')
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'redeliverWebhookDelivery',
    summary: "Sends the delivery's event again now, as its next attempt.",
  })
  @ApiErrors(ErrorCode.WebhookDisabled)
  @ApiOkResponse({ type: RedeliverWebhookDeliveryResponse })
  async redeliver(
    @Param('webhookId', IntIdPipe) webhookId: number,
    @Param('deliveryId', IntIdPipe) deliveryId: number,
  ): Promise<Payload<RedeliverWebhookDeliveryResponse>> {
    await this.webhooks.redeliver(webhookId, deliveryId);
    return EMPTY_PAYLOAD;
  }
}
