import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config';
import { WebhookEventData } from './webhook-event-data';
import { WebhookQueue } from './webhook-queue.service';
import { OutboxEvent, WebhooksRepository } from './webhooks.repository';

/** Outbox rows taken per transaction. */
const RELAY_BATCH = 50;

/** The event document every delivery of an event sends, byte for byte. */
export function eventDocument(event: Pick<OutboxEvent, 'eventId' | 'type' | 'createdAt'>, data: object): string {
  return JSON.stringify({ id: event.eventId, type: event.type, createdAt: event.createdAt.toISOString(), data });
}

/**
 * Moves committed outbox rows (written in the transactions of the writes that caused them) to deliveries: per
 * event, one delivery row and one queued attempt for each enabled webhook subscribed to its type, all in the
 * transaction that deletes the outbox row. Every instance runs it; FOR UPDATE SKIP LOCKED gives each row to one.
 */
@Injectable()
export class WebhookRelayService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly repository: WebhooksRepository,
    private readonly queue: WebhookQueue,
    private readonly data: WebhookEventData,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  /** Before the queue stops and the pool closes: no new round, and the current one finishes. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Relays until the outbox is empty; answers how many events it moved. */
  async relay(): Promise<number> {
    let moved = 0;
    for (;;) {
      const batch = await this.dataSource.transaction(async (manager) => {
        const events = await this.repository.takeOutbox(manager, RELAY_BATCH);
        for (const event of events) {
          const webhookIds = event.webhookId
            ? [event.webhookId]
            : await this.repository.subscribers(manager, event.type);
          if (!webhookIds.length) continue;
          const payload = eventDocument(event, await this.data.of(event));
          const deliveries = await this.repository.insertDeliveries(manager, {
            eventId: event.eventId,
            eventType: event.type,
            payload,
            webhookIds,
          });
          for (const delivery of deliveries) await this.queue.send(manager, { deliveryId: delivery.id, attempt: 1 });
        }
        return events.length;
      });
      moved += batch;
      if (batch) this.queue.wake();
      if (batch < RELAY_BATCH || this.stopped) return moved;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.relay()
        .then(
          () => undefined,
          (error: unknown) =>
            this.logger.warn(`Webhook relay failed: ${error instanceof Error ? error.message : String(error)}`),
        )
        .finally(() => this.schedule(this.config.webhooks.pollSeconds * 1000));
    }, delayMs);
    this.timer.unref();
  }
}
