import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LicenseTokenKind } from '../licenses/license-token.entity';
import { TraceAction } from '../licenses/license-trace.entity';
import { DatabaseLogService } from '../log/database-log.service';
import { SettingsService } from '../settings/settings.service';
import { NodeLockedLicensesService } from './node-locked-licenses.service';

/** Session advisory lock key of the sweep, shared by every instance (the log module's jobs use 730_100_001/2). */
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

  /** One round; answers `{ran: false}` when another instance holds the lock. */
  async sweep(): Promise<SweepOutcome> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [TOKEN_SWEEP_LOCK]);
      if (!locked) return { ran: false };
      try {
        const outcome = { ran: true as const, swept: 0, traced: 0, nodeLockedDeleted: 0 };
        for (;;) {
          await runner.startTransaction();
          try {
            const [batch]: Array<{ swept: number; traced: number; nodeLocked: number[] }> = await runner.query(
              `WITH expired AS (
                 DELETE FROM license_tokens WHERE id IN (
                   SELECT id FROM license_tokens WHERE expire_date <= now() ORDER BY expire_date LIMIT $1 FOR UPDATE SKIP LOCKED)
                 RETURNING id, license_id, kind, client_id, client_name, machine_id, address, node_locked_license_id, expire_date
               ), traced AS (
                 INSERT INTO license_traces (license_id, action, client_ip, client_id, client_name, machine_id, meta, created_date)
                 SELECT e.license_id, CASE WHEN e.kind = ${LicenseTokenKind.Floating} THEN ${TraceAction.FloatingRelease} ELSE ${TraceAction.Deactivate} END,
                        e.address, e.client_id, e.client_name, e.machine_id,
                        json_build_object('result', 'Expired', 'tokenId', e.id, 'expiredAt', e.expire_date)::text, now()
                   FROM expired e JOIN licenses l ON l.id = e.license_id WHERE l.trace
                 RETURNING 1
               )
               SELECT count(*)::int AS swept, (SELECT count(*)::int FROM traced) AS traced,
                      coalesce(array_agg(node_locked_license_id) FILTER (WHERE node_locked_license_id IS NOT NULL), '{}') AS "nodeLocked"
                 FROM expired`,
              [SWEEP_BATCH],
            );
            outcome.swept += batch.swept;
            outcome.traced += batch.traced;
            outcome.nodeLockedDeleted += await this.nodeLocked.deleteOrphans(runner.manager, batch.nodeLocked);
            await runner.commitTransaction();
            if (batch.swept < SWEEP_BATCH) break;
          } catch (error) {
            await runner.rollbackTransaction();
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
        await runner.query('SELECT pg_advisory_unlock($1)', [TOKEN_SWEEP_LOCK]);
      }
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
