import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { hash } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../../config';
import { LoginAttemptsRepository } from './login-attempts.repository';

/** A failed login counted against the address (taken back with `release` if the login succeeds), or a refusal. */
export type AddressSlot = { granted: true; release(): Promise<void> } | { granted: false; retryAfterSeconds: number };

const MINUTE_MS = 60_000;

/**
 * Refused unless the count is below the limit; counted otherwise. The window (the key's expiry) starts
 * with the first failure. A negative answer is the refusal, in milliseconds until the window ends.
 */
const RESERVE_SCRIPT = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count >= tonumber(ARGV[1]) then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 1 then ttl = 1000 end
  return -ttl
end
count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return count`;

const RELEASE_SCRIPT = `
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

/**
 * Failed logins per client address (LOGIN_ADDRESS_MAX_FAILURES in LOGIN_ADDRESS_WINDOW_SECONDS),
 * shared by every instance: in PostgreSQL, or in Redis when REDIS_URL is set. While Redis cannot be
 * reached the PostgreSQL counter stands in, so an outage never lifts the limit.
 */
@Injectable()
export class LoginAddressThrottle implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('LoginThrottle');
  private readonly redis?: Redis;
  private purgeTimer?: NodeJS.Timeout;
  private lastWarning = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly attempts: LoginAttemptsRepository,
  ) {
    if (config.redisUrl) {
      // As the licensing rate limits: no offline queue, one retry, so a login never waits long for a Redis that is down.
      this.redis = new Redis(config.redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
      });
      this.redis.on('error', (error: Error) => this.warn(error));
    }
  }

  onModuleInit(): void {
    // Finished windows are only clutter: a new failure starts a new window anyway.
    const every = Math.min(this.config.auth.addressWindowSeconds * 1000, 10 * MINUTE_MS);
    this.purgeTimer = setInterval(
      () =>
        void this.attempts
          .purgeAddressWindowsOlderThan(this.config.auth.addressWindowSeconds)
          .catch((error: Error) => this.logger.warn(`Purging finished login windows failed: ${error.message}`)),
      every,
    );
    this.purgeTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.purgeTimer);
    this.redis?.disconnect(false);
  }

  async reserve(address: string): Promise<AddressSlot> {
    if (this.redis) {
      try {
        return await this.reserveInRedis(this.redis, address);
      } catch (error) {
        this.warn(error as Error);
      }
    }
    return this.reserveInPostgres(address);
  }

  private async reserveInPostgres(address: string): Promise<AddressSlot> {
    const { maxFailures, windowSeconds } = this.limits();
    const result = await this.attempts.reserveAddressFailure(address, maxFailures, windowSeconds);
    if (!result.counted) return { granted: false, retryAfterSeconds: result.retryAfterSeconds };
    return { granted: true, release: () => this.attempts.releaseAddressFailure(address) };
  }

  private async reserveInRedis(redis: Redis, address: string): Promise<AddressSlot> {
    const { maxFailures, windowSeconds } = this.limits();
    // Hashed: client addresses do not leave the process in clear.
    const key = `licensing:login-failures:${hash('sha256', address, 'base64url')}`;
    const answer = Number(await redis.eval(RESERVE_SCRIPT, 1, key, maxFailures, windowSeconds * 1000));
    if (answer < 0) return { granted: false, retryAfterSeconds: Math.max(1, Math.ceil(-answer / 1000)) };
    return {
      granted: true,
      release: async () => {
        await redis.eval(RELEASE_SCRIPT, 1, key);
      },
    };
  }

  private limits(): { maxFailures: number; windowSeconds: number } {
    return { maxFailures: this.config.auth.addressMaxFailures, windowSeconds: this.config.auth.addressWindowSeconds };
  }

  private warn(error: Error): void {
    if (Date.now() - this.lastWarning < MINUTE_MS) return;
    this.lastWarning = Date.now();
    this.logger.warn(
      `Redis unavailable for login throttling (${error.message}); counting in PostgreSQL until it is back`,
    );
  }
}
