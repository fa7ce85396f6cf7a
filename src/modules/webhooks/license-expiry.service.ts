import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DAY_MS, JOB_LOCKS, PeriodicJob, runExclusively } from '../log/exclusive-job';
import { SettingsService } from '../settings/settings.service';
import { WebhooksRepository } from './webhooks.repository';

/**
 * license.expiring: once a day, one instance at a time (an advisory lock, like the retention purges), an event for
 * every license whose expireDate falls within Licensing.ExpiringNoticeDays, once per license and expiry date (a
 * renewed license that nears its new date is announced again). Nothing runs while no webhook subscribes to it.
 */
@Injectable()
export class LicenseExpiryService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly job = new PeriodicJob('LicenseExpiring', () => this.announceExpiring());

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

  /** How many licenses were announced; 0 also when another instance holds the lock. */
  async announceExpiring(): Promise<number> {
    if (!(await this.repository.isSubscribed('license.expiring'))) return 0;
    const days = await this.settings.get<number>('Licensing.ExpiringNoticeDays');
    const outcome = await runExclusively(this.dataSource, JOB_LOCKS.licenseExpiring, (manager) =>
      this.repository.queueExpiring(manager, days),
    );
    return outcome.ran ? outcome.result : 0;
  }
}
