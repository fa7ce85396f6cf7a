import { HttpStatus, Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../../config';
import { ApiException } from '../errors/api.exception';
import { ErrorCode } from '../errors/error-code';
import { IdempotencyRepository } from './idempotency.repository';
import { ResponseSealer } from './response-sealing';

const PRINTABLE_ASCII = /^[\x20-\x7e]{1,255}$/;
const PURGE_EVERY_MS = 10 * 60 * 1000;
/** Rounds of claim-or-read before giving up: a row can vanish between the two when its request is refused. */
const CLAIM_ROUNDS = 5;

/** What the interceptor learned about a request with an Idempotency-Key. */
export type IdempotencyDecision =
  { kind: 'run'; caller: string; key: string } | { kind: 'replay'; status: number; payload: unknown };

/** Idempotency-Key claims, stored answers and their purge; the HTTP side is IdempotencyInterceptor. */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Idempotency');
  private readonly sealer: ResponseSealer;
  private purgeTimer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: IdempotencyRepository,
  ) {
    this.sealer = new ResponseSealer(config.signingMasterKey);
  }

  onModuleInit(): void {
    // Every instance purges; the DELETE is the same whoever runs it, and an expired row is ignored until then.
    this.purgeTimer = setInterval(() => void this.purge(), PURGE_EVERY_MS);
    this.purgeTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.purgeTimer);
  }

  /** The header's value, or a 400 saying what a key must look like. */
  parseKey(raw: string | string[]): string {
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (!PRINTABLE_ASCII.test(value))
      throw ApiException.badRequest(
        `Idempotency-Key must be 1 to 255 printable ASCII characters (e.g. a UUID); got ${describe(value)}`,
        ErrorCode.InvalidIdempotencyKey,
      );
    return value;
  }

  static requestHash(method: string, url: string, body: unknown): string {
    return createHash('sha256')
      .update(`${method} ${url}\n`)
      .update(JSON.stringify(body ?? null))
      .digest('hex');
  }

  static userKeyCaller(userKey: string): string {
    return `userKey:${createHash('sha256').update(userKey).digest('hex')}`;
  }

  /**
   * Claims the key for this request (answering `run`), or says what the request it repeats did: `replay` with
   * that answer, 409 while it still runs, 422 when the key came with another request.
   */
  async decide(caller: string, key: string, requestHash: string): Promise<IdempotencyDecision> {
    for (let round = 0; round < CLAIM_ROUNDS; round++) {
      const claimed = await this.repository.claim({
        caller,
        key,
        requestHash,
        runningSeconds: this.config.http.requestTimeoutSeconds,
      });
      if (claimed) return { kind: 'run', caller, key };
      const stored = await this.repository.find(caller, key);
      if (!stored) continue; // released or expired in between: claim again
      if (stored.requestHash !== requestHash)
        throw new ApiException(
          ErrorCode.IdempotencyKeyReused,
          `Idempotency-Key "${key}" was already used for a different request (method, path or body); use a new key for a new request`,
          HttpStatus.UNPROCESSABLE_ENTITY,
        );
      if (stored.state === 'running' || stored.responseBody === null)
        throw ApiException.conflict(
          `A request with Idempotency-Key "${key}" is still running; send it again once it has finished to get its answer`,
          ErrorCode.IdempotencyKeyInProgress,
        );
      return {
        kind: 'replay',
        status: stored.responseStatus ?? HttpStatus.OK,
        payload: JSON.parse(this.sealer.open(stored.responseBody)) as unknown,
      };
    }
    throw ApiException.conflict(
      `Requests with Idempotency-Key "${key}" keep finishing and being refused at once; send it again`,
      ErrorCode.IdempotencyKeyInProgress,
    );
  }

  /** Keeps a successful answer for repeats. Failing to keep it costs no answer: the claim then simply expires. */
  async complete(caller: string, key: string, status: number, payload: unknown): Promise<void> {
    try {
      await this.repository.complete({
        caller,
        key,
        status,
        body: this.sealer.seal(JSON.stringify(payload ?? null)),
        ttlHours: this.config.idempotencyTtlHours,
      });
    } catch (error) {
      this.logger.error(`Storing the answer for an Idempotency-Key failed: ${(error as Error).message}`);
    }
  }

  /** A refused (4xx) or failed (5xx) request keeps nothing: the key is free for a corrected retry. */
  async release(caller: string, key: string): Promise<void> {
    try {
      await this.repository.release(caller, key);
    } catch (error) {
      this.logger.error(`Releasing an Idempotency-Key failed: ${(error as Error).message}`);
    }
  }

  async purge(): Promise<number> {
    try {
      return await this.repository.purgeExpired();
    } catch (error) {
      this.logger.warn(`Purging expired Idempotency-Keys failed: ${(error as Error).message}`);
      return 0;
    }
  }
}

function describe(value: string): string {
  if (value.length === 0) return 'an empty value';
  if (value.length > 255) return `${value.length} characters`;
  return 'a character outside printable ASCII';
}
