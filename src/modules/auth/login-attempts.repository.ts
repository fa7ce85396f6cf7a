import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { queryPool } from '../../database/pool-query';

/** What one login attempt learned from reserving its password check on the account's row. */
export interface AccountCheck {
  userId: string;
  userName: string;
  passwordHash: string;
  /** False when the account was locked: no check may run. */
  granted: boolean;
  /** This reservation was the last one allowed and locked the account (released if the check never ran). */
  locked: boolean;
  /** Seconds the lock still lasts (0 when not locked). */
  lockSeconds: number;
}

/** The per-address counter's answer: a failure counted, or how long the address must wait. */
export type AddressCount = { counted: true } | { counted: false; retryAfterSeconds: number };

/**
 * The SQL of login throttling. Every decision is one statement on one row, so instances sharing the
 * database never both see room for one more check: the row is the lock.
 */
@Injectable()
export class LoginAttemptsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Counts the attempt as a failure before its password is checked (a success clears the count),
   * locking the account on the `maxFailures`-th: however many attempts run in parallel, at most
   * `maxFailures` checks are granted per lock period. The subquery locks the row and reads the
   * values from before the update. A lock that has run out starts a new series.
   */
  async reserveAccountCheck(
    userName: string,
    maxFailures: number,
    lockoutSeconds: number,
  ): Promise<AccountCheck | null> {
    const rows = await queryPool<{
      id: string;
      user_name: string;
      password_hash: string;
      was_locked: boolean;
      locked_now: boolean;
      lock_seconds: number;
    }>(this.dataSource, {
      text: `UPDATE users AS u
          SET failed_login_count = CASE
                WHEN previous.locked_until > now() THEN previous.failed_login_count
                WHEN previous.locked_until IS NOT NULL THEN 1
                ELSE previous.failed_login_count + 1 END,
              locked_until = CASE
                WHEN previous.locked_until > now() THEN previous.locked_until
                WHEN (CASE WHEN previous.locked_until IS NOT NULL THEN 1 ELSE previous.failed_login_count + 1 END) >= $2
                  THEN now() + make_interval(secs => $3)
                ELSE NULL END
         FROM (SELECT id, failed_login_count, locked_until FROM users WHERE lower(user_name) = lower($1) FOR UPDATE)
           AS previous
        WHERE u.id = previous.id
      RETURNING u.id, u.user_name, u.password_hash,
                coalesce(previous.locked_until > now(), false) AS was_locked,
                u.locked_until IS NOT NULL AND coalesce(previous.locked_until <= now(), true) AS locked_now,
                coalesce(ceil(extract(epoch FROM u.locked_until - now())), 0)::int AS lock_seconds`,
      values: [userName, maxFailures, lockoutSeconds],
    });
    if (!rows.length) return null;
    const [row] = rows;
    return {
      userId: row.id,
      userName: row.user_name,
      passwordHash: row.password_hash,
      granted: !row.was_locked,
      locked: row.locked_now,
      lockSeconds: Math.max(0, row.lock_seconds),
    };
  }

  /** Gives back a reservation whose check never ran (the server was too busy), lifting the lock it set. */
  async releaseAccountCheck(check: AccountCheck): Promise<void> {
    await this.dataSource.query(
      `UPDATE users SET failed_login_count = greatest(failed_login_count - 1, 0),
              locked_until = CASE WHEN $2 THEN NULL ELSE locked_until END
        WHERE id = $1`,
      [check.userId, check.locked],
    );
  }

  async recordSuccessfulLogin(userId: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(
      `UPDATE users SET failed_login_count = 0, locked_until = NULL, last_log_in = now() WHERE id = $1`,
      [userId],
    );
  }

  /**
   * Counts one failed login of `address` unless the address already has `maxFailures` in its window
   * (the conditional upsert leaves the row alone and returns nothing). Windows start with the first
   * failure and end `windowSeconds` later.
   */
  async reserveAddressFailure(address: string, maxFailures: number, windowSeconds: number): Promise<AddressCount> {
    const counted: unknown[] = await this.dataSource.query(
      `INSERT INTO login_address_failures AS f (client_address, window_started_at, failure_count)
       VALUES ($1, now(), 1)
       ON CONFLICT (client_address) DO UPDATE
          SET failure_count = CASE WHEN f.window_started_at <= now() - make_interval(secs => $3) THEN 1
                                   ELSE f.failure_count + 1 END,
              window_started_at = CASE WHEN f.window_started_at <= now() - make_interval(secs => $3) THEN now()
                                       ELSE f.window_started_at END
        WHERE f.window_started_at <= now() - make_interval(secs => $3) OR f.failure_count < $2
       RETURNING 1`,
      [address, maxFailures, windowSeconds],
    );
    if (counted.length) return { counted: true };
    const [row]: Array<{ seconds: number }> = await this.dataSource.query(
      `SELECT ceil(extract(epoch FROM window_started_at + make_interval(secs => $2) - now()))::int AS seconds
         FROM login_address_failures WHERE client_address = $1`,
      [address, windowSeconds],
    );
    return { counted: false, retryAfterSeconds: Math.max(1, row?.seconds ?? 1) };
  }

  /** A reserved failure that turned out a success (or was never checked) is taken back. */
  async releaseAddressFailure(address: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE login_address_failures SET failure_count = greatest(failure_count - 1, 0) WHERE client_address = $1`,
      [address],
    );
  }

  async purgeAddressWindowsOlderThan(windowSeconds: number): Promise<number> {
    const [, deleted]: [unknown, number] = await this.dataSource.query(
      `DELETE FROM login_address_failures WHERE window_started_at <= now() - make_interval(secs => $1)`,
      [windowSeconds],
    );
    return deleted;
  }
}
