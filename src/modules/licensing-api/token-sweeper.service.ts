import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { licensingSeats } from '../../common/observability';
import { DatabaseLogService } from '../log/database-log.service';
import { SettingsService } from '../settings/settings.service';
import { ClientTokensRepository } from './client-tokens.repository';
import { NodeLockedLicensesService } from './node-locked-licenses.service';

/** Advisory lock key of the sweep (taken per batch transaction), shared by every instance (the log module's jobs use 730_100_001/2). */
export const TOKEN_SWEEP_LOCK = 730_100_003;
/** Tokens deleted per transaction: a backlog is swept in short transactions, not one long one. */
const SWEEP_BATCH = 5000;

export type SweepOutcome = { ran: false } | { ran: true; swept: number; traced: number; nodeLockedDeleted: number };

/**
 * Deletes expired tokens (lapsed floating seats and time-limited activations) every
 * Licensing.TokenSweepSeconds. Expired tokens never count against maxAllowedSites anyway; sweeping
 * keeps the table small and records the expiry in the trace of traced licenses (FloatingRelease or
 * Deactivate, meta result "Expired"). With several instances, the one that gets the PostgreSQL
 * advisory lock sweeps; the others skip that round.
 */
@Injectable()
export class TokenSweeperService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TokenSweeper');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: ClientTokensRepository,
    private readonly settings: SettingsService,
    private readonly nodeLocked: NodeLockedLicensesService,
    private readonly log: DatabaseLogService,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduleNext();
  }

  /** Before the connection pool closes: no new round, and the current one finishes first. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /**
   * One round; answers `{ran: false}` when another instance holds the lock. The lock is taken again by each batch's
   * transaction (a transaction-level lock): it holds on whatever server connection runs the batch, also behind a
   * transaction pooler (PgBouncer), where a session lock could stay behind on a pooled connection. Between two
   * batches another instance may sweep one; the batches skip rows others hold, so nothing is swept twice.
   */
  async sweep(): Promise<SweepOutcome> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const outcome = { ran: true as const, swept: 0, traced: 0, nodeLockedDeleted: 0 };
      for (let batchNumber = 0; ; batchNumber++) {
        await runner.startTransaction();
        try {
          if (!(await this.tokens.tryAdvisoryXactLock(runner.manager, TOKEN_SWEEP_LOCK))) {
            await runner.rollbackTransaction();
            if (batchNumber === 0) return { ran: false };
            break;
          }
          const batch = await this.tokens.sweepExpired(runner.manager, { limit: SWEEP_BATCH });
          outcome.swept += batch.swept;
          outcome.traced += batch.traced;
          outcome.nodeLockedDeleted += await this.nodeLocked.deleteOrphans(runner.manager, batch.nodeLocked);
          await runner.commitTransaction();
          licensingSeats.inc({ kind: 'floating', outcome: 'expired' }, batch.sweptFloating);
          licensingSeats.inc({ kind: 'activation', outcome: 'expired' }, batch.swept - batch.sweptFloating);
          if (batch.swept < SWEEP_BATCH) break;
        } catch (error) {
          if (runner.isTransactionActive) await runner.rollbackTransaction();
          throw error;
        }
      }
      if (outcome.swept > 0) {
        this.log.information(
          'Licensing: swept {SweptTokenCount} expired tokens ({TracedCount} traced, {NodeLockedDeletedCount} node-locked licenses deleted)',
          {
            SweptTokenCount: outcome.swept,
            TracedCount: outcome.traced,
            NodeLockedDeletedCount: outcome.nodeLockedDeleted,
          },
        );
      }
      return outcome;
    } finally {
      await runner.release();
    }
  }

  /** A chain of timeouts, so that a change of Licensing.TokenSweepSeconds applies from the next round. */
  private scheduleNext(): void {
    if (this.stopped) return;
    void this.settings
      .get<number>('Licensing.TokenSweepSeconds')
      .catch(() => 60)
      .then((seconds) => {
        if (this.stopped) return;
        this.timer = setTimeout(() => {
          this.running = this.sweep()
            .catch((error: unknown) =>
              this.logger.warn(`Token sweep failed: ${error instanceof Error ? error.message : String(error)}`),
            )
            .finally(() => {
              this.running = undefined;
              this.scheduleNext();
            });
        }, seconds * 1000);
        this.timer.unref();
      });
  }
}
