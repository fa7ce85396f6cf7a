import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditRecorder } from '../../common/audit';
import { copyPresent } from '../../common/dto';
import { Payload } from '../../common/envelope';
import { ApiException, ErrorCode } from '../../common/errors';
import { ResponseSealer } from '../../common/idempotency/response-sealing';
import { QueryOptions, listPage } from '../../common/query';
import { WEBHOOK_EVENT_TYPES } from '../../common/webhooks';
import { APP_CONFIG, AppConfig } from '../../config';
import { SECRET_SEALING_PURPOSE } from './webhook-delivery.service';
import { WebhookEntity } from './webhook.entity';
import { eventDocument } from './webhook-relay.service';
import { generateWebhookSecret } from './webhook-signature';
import { privateAddressOf, webhookUrlProblem } from './webhook-url';
import { WebhookQueue } from './webhook-queue.service';
import {
  GetWebhookDeliveriesResponse,
  GetWebhooksResponse,
  InsertWebhookResponse,
  TestWebhookResponse,
  WebhookDto,
} from './webhooks.dto';
import { WEBHOOK_DELIVERY_QUERY, WEBHOOK_QUERY } from './webhooks.query';
import { WebhooksRepository } from './webhooks.repository';
import { toWebhookDeliveryDto, toWebhookDto } from './webhook.mapper';

const KNOWN_EVENTS = new Set(WEBHOOK_EVENT_TYPES);

/** Webhooks and their deliveries: the rules of the Management endpoints. Sending is WebhookDeliveryService's. */
@Injectable()
export class WebhooksService {
  private readonly sealer: ResponseSealer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly webhooks: WebhooksRepository,
    private readonly queue: WebhookQueue,
    private readonly audit: AuditRecorder,
  ) {
    this.sealer = new ResponseSealer(config.signingMasterKey, SECRET_SEALING_PURPOSE);
  }

  async list(options: QueryOptions): Promise<Payload<GetWebhooksResponse>> {
    const { items, total, nextCursor } = await listPage(WEBHOOK_QUERY, options, {
      read: () => this.webhooks.findPage(options),
      toDtos: (webhooks) => webhooks.map(toWebhookDto),
    });
    return { webhooks: items, totalWebhooksCount: total, nextCursor };
  }

  /** The secret is generated here and answered once; it is stored sealed, and only the worker opens it. */
  async insert(input: WebhookDto): Promise<Payload<InsertWebhookResponse>> {
    if (input.url === undefined || input.url === null) throw ApiException.badRequest('webhook.url is required');
    if (input.events === undefined || input.events === null)
      throw ApiException.badRequest('webhook.events is required: event types such as license.created, or ["*"]');
    const url = await this.checkedUrl(input.url);
    const events = this.checkedEvents(input.events);
    const secret = generateWebhookSecret();
    const saved = await this.webhooks.insert({
      url,
      events,
      enabled: input.enabled ?? true,
      description: input.description ?? null,
      secretEncrypted: this.sealer.seal(secret),
    });
    return { webhookId: saved.id, secret, message: 'Store this secret now: it is not shown again' };
  }

  async update(input: WebhookDto): Promise<void> {
    if (!input.id) throw ApiException.badRequest('webhook.id is required to update a webhook');
    const webhook = await this.webhooks.findById(input.id);
    if (!webhook) throw ApiException.notFound(`Webhook ${input.id} does not exist`);
    if (input.url !== undefined && input.url !== null) webhook.url = await this.checkedUrl(input.url);
    if (input.events !== undefined && input.events !== null) webhook.events = this.checkedEvents(input.events);
    const wasEnabled = webhook.enabled;
    copyPresent(webhook, input, ['enabled'], { nullKeeps: true });
    copyPresent(webhook, input, ['description']);
    // Enabling again starts a new count: the failures that disabled it are not held against it.
    if (!wasEnabled && webhook.enabled) webhook.consecutiveFailures = 0;
    await this.webhooks.save(webhook);
  }

  async delete(id: number): Promise<void> {
    const record = { action: 'webhook.deleted', entityType: 'webhook', entityId: id };
    const deleted = await this.audit.recordIf(record, (manager) => this.webhooks.delete(id, manager));
    if (!deleted) throw ApiException.notFound(`Webhook ${id} does not exist`);
  }

  /** Queues a webhook.test event for this webhook alone; its data is the webhook. */
  async test(id: number): Promise<Payload<TestWebhookResponse>> {
    const webhook = await this.enabledWebhook(id);
    const event = { eventId: randomUUID(), type: 'webhook.test', createdAt: new Date() };
    const payload = eventDocument(event, toWebhookDto(webhook));
    const deliveryId = await this.dataSource.transaction(async (manager) => {
      const [delivery] = await this.webhooks.insertDeliveries(manager, {
        eventId: event.eventId,
        eventType: event.type,
        payload,
        webhookIds: [id],
      });
      await this.queue.send(manager, { deliveryId: delivery.id, attempt: 1 });
      return delivery.id;
    });
    this.queue.wake();
    return { eventId: event.eventId, webhookDeliveryId: Number(deliveryId) };
  }

  /** Newest first unless `sort` says otherwise. */
  async deliveries(webhookId: number, options: QueryOptions): Promise<Payload<GetWebhookDeliveriesResponse>> {
    if (!(await this.webhooks.exists(webhookId))) throw ApiException.notFound(`Webhook ${webhookId} does not exist`);
    const { items, total, nextCursor } = await listPage(WEBHOOK_DELIVERY_QUERY, options, {
      read: () => this.webhooks.findDeliveryPage(webhookId, { ...options, sort: options.sort ?? 'Id desc' }),
      toDtos: (deliveries) => deliveries.map(toWebhookDeliveryDto),
    });
    return { webhookDeliveries: items, totalWebhookDeliveriesCount: total, nextCursor };
  }

  /**
   * Sends the delivery's event again, now, as its next attempt (the same body, signed anew). A retry already
   * scheduled for it finds that attempt made and does nothing.
   */
  async redeliver(webhookId: number, deliveryId: number): Promise<void> {
    await this.enabledWebhook(webhookId);
    const reopened = await this.dataSource.transaction(async (manager) => {
      const attempt = await this.webhooks.reopen(manager, webhookId, String(deliveryId));
      if (attempt) await this.queue.send(manager, { deliveryId: String(deliveryId), ...attempt });
      return attempt;
    });
    if (!reopened) throw ApiException.notFound(`Webhook ${webhookId} has no delivery ${deliveryId}`);
    this.queue.wake();
  }

  private async enabledWebhook(id: number): Promise<WebhookEntity> {
    const webhook = await this.webhooks.findById(id);
    if (!webhook) throw ApiException.notFound(`Webhook ${id} does not exist`);
    if (!webhook.enabled)
      throw ApiException.conflict(
        `Webhook ${id} is disabled; enable it with PUT /v1/webhooks before sending to it`,
        ErrorCode.WebhookDisabled,
      );
    return webhook;
  }

  private async checkedUrl(raw: string): Promise<string> {
    const url = raw.trim();
    const problem = webhookUrlProblem(url);
    if (problem) throw ApiException.badRequest(problem, ErrorCode.InvalidWebhookUrl);
    if (this.config.webhooks.allowPrivateNetworks) return url;
    const { hostname } = new URL(url);
    let refused: string | null;
    try {
      refused = await privateAddressOf(hostname);
    } catch {
      throw ApiException.badRequest(`webhook.url: the host ${hostname} does not resolve`, ErrorCode.InvalidWebhookUrl);
    }
    if (refused)
      throw ApiException.badRequest(
        `webhook.url: ${hostname === refused ? refused : `${hostname} resolves to ${refused}, which`} is a loopback, private or link-local address (WEBHOOK_ALLOW_PRIVATE_NETWORKS is off)`,
        ErrorCode.InvalidWebhookUrl,
      );
    return url;
  }

  private checkedEvents(events: string[]): string[] {
    const chosen = [...new Set(events.map((event) => event.trim()))];
    if (!chosen.length)
      throw ApiException.badRequest(
        'webhook.events is empty: name event types such as license.created, or ["*"] for all',
        ErrorCode.UnknownWebhookEvent,
      );
    const unknown = chosen.find((event) => event !== '*' && !KNOWN_EVENTS.has(event));
    if (unknown)
      throw ApiException.badRequest(
        `webhook.events: unknown event type "${unknown}"; send types such as license.created, or "*"`,
        ErrorCode.UnknownWebhookEvent,
      );
    return chosen;
  }
}
