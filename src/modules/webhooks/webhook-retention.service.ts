import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DAY_MS, JOB_LOCKS, PeriodicJob, purgeOlderThan } from '../log/exclusive-job';
import { SettingsService } from '../settings/settings.service';
import { WebhooksRepository } from './webhooks.repository';

/** Keeps finished deliveries for Application.WebhookDeliveryRetentionDays: a daily purge, one instance at a time. */
@Injectable()
export class WebhookRetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly job = new PeriodicJob('WebhookDeliveryRetention', () => this.purgeFinished());

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: WebhooksRepository,
    private readonly settings: SettingsService,
  ) {}

  onApplicationBootstrap(): void {
    this.job.start(undefined, DAY_MS);
  }

  onModuleDestroy(): void {
    this.job.stop();
  }

  /** How many deliveries went; pending ones stay whatever their age. */
  async purgeFinished(): Promise<number> {
    const days = await this.settings.get<number>('Application.WebhookDeliveryRetentionDays');
    return purgeOlderThan(this.dataSource, JOB_LOCKS.webhookDeliveryPurge, days, (manager, cutoff) =>
      this.repository.deleteFinishedBefore(manager, cutoff),
    );
  }
}
