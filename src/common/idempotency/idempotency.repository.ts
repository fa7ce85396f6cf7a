import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryPool } from '../../database/pool-query';

/** What a repeat finds under its (caller, key). */
export interface StoredIdempotencyKey {
  requestHash: string;
  state: 'running' | 'completed';
  responseStatus: number | null;
  responseBody: string | null;
}

export interface IdempotencyClaim {
  caller: string;
  key: string;
  requestHash: string;
  /** How long the claim holds when its request never finishes (the process died). */
  runningSeconds: number;
}

/**
 * The SQL of idempotent writes. The primary key (caller, idempotency_key) is the lock: of several requests
 * with the same key on any number of instances, one INSERT wins and the others see its row.
 */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Claims the key as running; true when this request may run its handler. A row that has expired (an answer
   * past its retention, or a claim whose request never finished) is taken over in the same statement.
   */
  async claim(claim: IdempotencyClaim): Promise<boolean> {
    const rows = await queryPool<{ claimed: number }>(this.dataSource, {
      text: `INSERT INTO idempotency_keys (caller, idempotency_key, request_hash, state, expires_at)
             VALUES ($1, $2, $3, 'running', now() + make_interval(secs => $4))
             ON CONFLICT (caller, idempotency_key) DO UPDATE
               SET request_hash = EXCLUDED.request_hash, state = 'running', response_status = NULL,
                   response_body = NULL, created_at = now(), expires_at = EXCLUDED.expires_at
               WHERE idempotency_keys.expires_at <= now()
             RETURNING 1 AS claimed`,
      values: [claim.caller, claim.key, claim.requestHash, claim.runningSeconds],
    });
    return rows.length === 1;
  }

  /** The live row under (caller, key), if any. */
  async find(caller: string, key: string): Promise<StoredIdempotencyKey | undefined> {
    const rows = await queryPool<{
      request_hash: string;
      state: 'running' | 'completed';
      response_status: number | null;
      response_body: string | null;
    }>(this.dataSource, {
      text: `SELECT request_hash, state, response_status, response_body FROM idempotency_keys
              WHERE caller = $1 AND idempotency_key = $2 AND expires_at > now()`,
      values: [caller, key],
    });
    const [row] = rows;
    return row
      ? {
          requestHash: row.request_hash,
          state: row.state,
          responseStatus: row.response_status,
          responseBody: row.response_body,
        }
      : undefined;
  }

  /** Stores the answer of a claim that succeeded, kept for `ttlHours`. */
  async complete(params: {
    caller: string;
    key: string;
    status: number;
    body: string;
    ttlHours: number;
  }): Promise<void> {
    await queryPool(this.dataSource, {
      text: `UPDATE idempotency_keys
                SET state = 'completed', response_status = $3, response_body = $4,
                    expires_at = now() + make_interval(hours => $5)
              WHERE caller = $1 AND idempotency_key = $2 AND state = 'running'`,
      values: [params.caller, params.key, params.status, params.body, params.ttlHours],
    });
  }

  /** Gives a claim back (its request was refused or failed), so that a corrected retry runs. */
  async release(caller: string, key: string): Promise<void> {
    await queryPool(this.dataSource, {
      text: `DELETE FROM idempotency_keys WHERE caller = $1 AND idempotency_key = $2 AND state = 'running'`,
      values: [caller, key],
    });
  }

  /** Deletes expired rows; answers how many. */
  async purgeExpired(): Promise<number> {
    const rows = await queryPool<{ n: number }>(this.dataSource, {
      text: `WITH gone AS (DELETE FROM idempotency_keys WHERE expires_at <= now() RETURNING 1)
             SELECT count(*)::int AS n FROM gone`,
    });
    return rows[0]?.n ?? 0;
  }
}
