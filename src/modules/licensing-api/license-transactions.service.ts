import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config';

/** Connections kept out of reach of the licensing transactions, for everything else (settings, log, other APIs). */
const SPARE_CONNECTIONS = 2;

/** A FIFO counting semaphore. */
class Semaphore {
  private readonly waiting: Array<() => void> = [];

  constructor(private available: number) {}

  async acquire(): Promise<void> {
    if (this.available > 0) {
      this.available--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.available++;
  }
}

/**
 * Runs the transactions that take a license's row lock (activation, deactivation, seat requests):
 * one at a time per license in this process, and never more at once than the pool minus two
 * connections. The row lock (SELECT … FOR UPDATE, inside LicenseTokensService.allocate) is what
 * makes seats exact across instances; this only keeps a burst from parking every pooled connection
 * in a lock wait, where a lock holder that needs one more connection (settings, a signature key)
 * would wait for ever. Requests for one license queue here in memory instead of in PostgreSQL.
 */
@Injectable()
export class LicenseTransactionsService {
  private readonly perLicense = new Map<number, Promise<void>>();
  private readonly connections: Semaphore;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.connections = new Semaphore(Math.max(1, config.database.poolSize - SPARE_CONNECTIONS));
  }

  /**
   * `prepare` runs just before the transaction, in turn: whatever the transaction will need from
   * outside it (settings, which are cached for a few seconds, a signature key) is loaded there.
   */
  async run<T, P = void>(
    licenseRowId: number,
    prepare: () => Promise<P>,
    work: (manager: EntityManager, prepared: P) => Promise<T>,
  ): Promise<T> {
    const previous = this.perLicense.get(licenseRowId) ?? Promise.resolve();
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const mine = previous.then(() => finished);
    this.perLicense.set(licenseRowId, mine);
    await previous;
    try {
      await this.connections.acquire();
      try {
        const prepared = await prepare();
        return await this.dataSource.transaction((manager) => work(manager, prepared));
      } finally {
        this.connections.release();
      }
    } finally {
      done();
      if (this.perLicense.get(licenseRowId) === mine) this.perLicense.delete(licenseRowId);
    }
  }
}
