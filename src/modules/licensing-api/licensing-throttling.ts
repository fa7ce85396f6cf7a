import { ExecutionContext, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import {
  ThrottlerGenerateKeyFunction,
  ThrottlerGetTrackerFunction,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModuleOptions,
  ThrottlerOptions,
  ThrottlerStorage,
} from '@nestjs/throttler';
import {
  THROTTLER_BLOCK_DURATION,
  THROTTLER_KEY_GENERATOR,
  THROTTLER_LIMIT,
  THROTTLER_SKIP,
  THROTTLER_TRACKER,
  THROTTLER_TTL,
} from '@nestjs/throttler/dist/throttler.constants';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Redis } from 'ioredis';
import { hash } from 'node:crypto';
import { ApiException, ErrorCode } from '../../common/errors';
import { AppConfig } from '../../config';
import { SettingKey } from '../settings/setting-definitions';
import { SettingsService } from '../settings/settings.service';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const MINUTE_MS = 60_000;
export const CLIENT_THROTTLER = 'client';
export const LICENSE_THROTTLER = 'license';

interface Window {
  hits: number;
  resetAt: number;
  blockedUntil: number;
}

/**
 * Fixed-window counters in memory: O(1) per request whatever the limit (the package's default storage
 * keeps one timestamp per hit and filters them on every request, which a high limit turns into the
 * hot path's main cost). Same semantics as the Redis storage: hits past the limit block the key for
 * blockDuration.
 */
export class FixedWindowThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly windows = new Map<string, Window>();
  private readonly eviction: NodeJS.Timeout;

  constructor() {
    this.eviction = setInterval(() => this.evict(), MINUTE_MS);
    this.eviction.unref();
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    return Promise.resolve(this.hit(key, ttl, limit, blockDuration, throttlerName));
  }

  /** `increment` without the promise, for the guard's in-process path. */
  hit(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): ThrottlerStorageRecord {
    const now = Date.now();
    const id = `${throttlerName}:${key}`;
    let window = this.windows.get(id);
    if (!window) {
      window = { hits: 0, resetAt: now + ttl, blockedUntil: 0 };
      this.windows.set(id, window);
    } else if (window.resetAt <= now) {
      window.hits = 0;
      window.resetAt = now + ttl;
    }
    window.hits++;
    if (window.blockedUntil <= now && window.hits > limit) window.blockedUntil = now + blockDuration;
    const isBlocked = window.blockedUntil > now;
    return {
      totalHits: window.hits,
      timeToExpire: Math.ceil((window.resetAt - now) / 1000),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.ceil((window.blockedUntil - now) / 1000) : 0,
    };
  }

  onApplicationShutdown(): void {
    clearInterval(this.eviction);
  }

  private evict(now = Date.now()): void {
    for (const [id, window] of this.windows)
      if (window.resetAt <= now && window.blockedUntil <= now) this.windows.delete(id);
  }
}

/**
 * Counters in Redis (shared by every instance) with the in-memory counters as the fallback while
 * Redis cannot be reached: a Redis outage loosens the limits to per instance, it does not stop licensing.
 */
export class SharedThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('LicensingRateLimit');
  private readonly redis: Redis;
  private readonly shared: ThrottlerStorageRedisService;
  private readonly fallback = new FixedWindowThrottlerStorage();
  private lastWarning = 0;

  constructor(redisUrl: string) {
    // No offline queue and one retry: a request never waits long for a Redis that is down.
    this.redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
    this.redis.on('error', (error: Error) => this.warn(error));
    this.shared = new ThrottlerStorageRedisService(this.redis);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    try {
      return await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (error) {
      this.warn(error as Error);
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  onApplicationShutdown(): void {
    this.fallback.onApplicationShutdown();
    this.redis.disconnect(false);
  }

  private warn(error: Error): void {
    if (Date.now() - this.lastWarning < MINUTE_MS) return;
    this.lastWarning = Date.now();
    this.logger.warn(`Redis rate-limit storage unavailable (${error.message}); limiting per instance until it is back`);
  }
}

type LicensingRequestBody = { userKey?: unknown; licenseToken?: unknown } | undefined;

/** The per-license tracker: the user key, or for heartbeats and releases the token. */
function licenseTracker(request: { body?: LicensingRequestBody }): string | null {
  const body = request.body;
  const value =
    typeof body?.userKey === 'string' && body.userKey.trim()
      ? body.userKey
      : typeof body?.licenseToken === 'string'
        ? body.licenseToken
        : '';
  return value.trim() || null;
}

/**
 * Two limits per minute, resolved from the settings on every request so a change applies at once:
 * per client address (Licensing.RateLimitPerMinute) and per user key or token
 * (Licensing.UserKeyRateLimitPerMinute). Keys going to Redis are hashed: no user key is stored there.
 */
export function licensingThrottlerOptions(config: AppConfig, settings: SettingsService): ThrottlerModuleOptions {
  // The cached value when it is fresh: a number is used as it is, where a promise costs the call two turns of the
  // microtask queue per throttler.
  const currentSetting = (key: SettingKey) => settings.peek<number>(key) ?? settings.get<number>(key);
  return {
    storage: config.redisUrl ? new SharedThrottlerStorage(config.redisUrl) : new FixedWindowThrottlerStorage(),
    // Hashed only where the key leaves the process: in memory the user key is already there.
    generateKey: config.redisUrl
      ? (_context, tracker, name) => `licensing:${name}:${hash('sha256', tracker, 'base64url')}`
      : (_context, tracker, name) => `licensing:${name}:${tracker}`,
    throttlers: [
      { name: CLIENT_THROTTLER, ttl: MINUTE_MS, limit: () => currentSetting('Licensing.RateLimitPerMinute') },
      {
        name: LICENSE_THROTTLER,
        ttl: MINUTE_MS,
        limit: () => currentSetting('Licensing.UserKeyRateLimitPerMinute'),
        getTracker: (request) => licenseTracker(request) ?? '',
        skipIf: (context: ExecutionContext) => licenseTracker(context.switchToHttp().getRequest()) === null,
      },
    ],
  };
}

type ThrottledRequest = Parameters<ThrottlerGuard['handleRequest']>[0];

type Resolvable<T> = T | ((context: ExecutionContext) => T | Promise<T>);

/** One throttler as it applies to one route: the route's decorators over the module's options, read once. */
interface RoutePlan {
  throttler: ThrottlerOptions;
  skip: boolean;
  limit: Resolvable<number>;
  ttl: Resolvable<number>;
  blockDuration: Resolvable<number> | undefined;
  getTracker: ThrottlerGetTrackerFunction;
  generateKey: ThrottlerGenerateKeyFunction;
  /** An ignoreUserAgents option is the package's to apply: such a route counts through handleRequest. */
  ignoresUserAgents: boolean;
  /** The package's header names for this throttler, or undefined when its headers are off. */
  headers: RateLimitHeaders | undefined;
}

interface RateLimitHeaders {
  limit: string;
  remaining: string;
  reset: string;
  retryAfter: string;
}

/**
 * The package's guard with the project's 429: the envelope with ErrorCode.RateLimited and a plain
 * Retry-After header (the package names it Retry-After-<throttler> for named throttlers).
 *
 * The package reads six route decorators per throttler on every request through the Reflector (a
 * measurable share of a licensing call's CPU); they cannot change after start, so they are read once
 * per route here. With the in-memory storage the guard counts and sets the package's headers itself,
 * without the package's awaits on values that are already there; with Redis,
 * and for an ignoreUserAgents option, counting stays the package's own (handleRequest).
 */
@Injectable()
export class LicensingThrottlerGuard extends ThrottlerGuard {
  private readonly routePlans = new WeakMap<Function, RoutePlan[]>();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const handler = context.getHandler();
    let plans = this.routePlans.get(handler);
    if (!plans) this.routePlans.set(handler, (plans = this.planRoute(context)));
    for (const plan of plans) {
      const skipIf = plan.throttler.skipIf || this.commonOptions.skipIf;
      if (plan.skip || skipIf?.(context)) continue;
      // A number is used as it is: `await` on a plain value still costs a turn of the microtask queue.
      const ttlOption = resolveNumber(context, plan.ttl, 'ttl', plan.throttler.name);
      const ttl = typeof ttlOption === 'number' ? ttlOption : await ttlOption;
      const limitOption = resolveNumber(context, plan.limit, 'limit', plan.throttler.name);
      const limit = typeof limitOption === 'number' ? limitOption : await limitOption;
      const blockOption =
        plan.blockDuration === undefined
          ? ttl
          : resolveNumber(context, plan.blockDuration, 'blockDuration', plan.throttler.name);
      const blockDuration = typeof blockOption === 'number' ? blockOption : await blockOption;
      const request = {
        context,
        limit,
        ttl,
        throttler: plan.throttler,
        blockDuration,
        getTracker: plan.getTracker,
        generateKey: plan.generateKey,
      };
      if (this.storageService instanceof FixedWindowThrottlerStorage && !plan.ignoresUserAgents) {
        const counted = this.countInProcess(request, plan.headers);
        if (counted) await counted;
      } else await this.handleRequest(request);
    }
    return true;
  }

  /**
   * handleRequest's counting and headers for the in-memory storage, without its awaits: the tracker, the
   * key and the count are synchronous there, and this runs twice on every client API call. A promise only when the
   * tracker is one (a custom tracker), or to refuse the call.
   */
  private countInProcess(request: ThrottledRequest, headers: RateLimitHeaders | undefined): Promise<void> | undefined {
    const found = request.getTracker(request.context.switchToHttp().getRequest(), request.context);
    return typeof found === 'string'
      ? this.count(request, found, headers)
      : found.then((tracker) => this.count(request, tracker, headers));
  }

  private count(
    { context, limit, ttl, throttler, blockDuration, generateKey }: ThrottledRequest,
    tracker: string,
    headers: RateLimitHeaders | undefined,
  ): Promise<void> | undefined {
    const response = context.switchToHttp().getResponse<{ header(name: string, value: unknown): unknown }>();
    const key = generateKey(context, tracker, throttler.name!);
    const record = (this.storageService as FixedWindowThrottlerStorage).hit(
      key,
      ttl,
      limit,
      blockDuration,
      throttler.name!,
    );
    if (record.isBlocked) {
      if (headers) response.header(headers.retryAfter, record.timeToBlockExpire);
      return this.throwThrottlingException(context, { limit, ttl, key, tracker, ...record });
    }
    if (!headers) return;
    response.header(headers.limit, limit);
    response.header(headers.remaining, Math.max(0, limit - record.totalHits));
    response.header(headers.reset, record.timeToExpire);
  }

  /** The names handleRequest gives the headers, built once per route instead of on every call. */
  private rateLimitHeaders(throttler: ThrottlerOptions): RateLimitHeaders | undefined {
    if (!(throttler.setHeaders ?? this.commonOptions.setHeaders ?? true)) return undefined;
    const suffix = throttler.name === 'default' ? '' : `-${throttler.name}`;
    return {
      limit: `${this.headerPrefix}-Limit${suffix}`,
      remaining: `${this.headerPrefix}-Remaining${suffix}`,
      reset: `${this.headerPrefix}-Reset${suffix}`,
      retryAfter: `Retry-After${suffix}`,
    };
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const retryAfter = Math.max(1, detail.timeToBlockExpire);
    context.switchToHttp().getResponse().header('Retry-After', String(retryAfter));
    throw new ApiException(
      ErrorCode.RateLimited,
      `Too many licensing requests: the limit is ${detail.limit} per minute per client address and per user key; retry in ${retryAfter} s`,
      429,
      { retryAfterSeconds: retryAfter },
    );
  }

  private planRoute(context: ExecutionContext): RoutePlan[] {
    const targets = [context.getHandler(), context.getClass()];
    const route = <T>(key: string, throttler: ThrottlerOptions) =>
      this.reflector.getAllAndOverride<T | undefined>(key + throttler.name, targets);
    return this.throttlers.map((throttler) => ({
      throttler,
      skip: route<boolean>(THROTTLER_SKIP, throttler) === true,
      limit: route<Resolvable<number>>(THROTTLER_LIMIT, throttler) ?? throttler.limit,
      ttl: route<Resolvable<number>>(THROTTLER_TTL, throttler) ?? throttler.ttl,
      blockDuration: route<Resolvable<number>>(THROTTLER_BLOCK_DURATION, throttler) ?? throttler.blockDuration,
      getTracker:
        route<ThrottlerGetTrackerFunction>(THROTTLER_TRACKER, throttler) ??
        throttler.getTracker ??
        this.commonOptions.getTracker!,
      generateKey:
        route<ThrottlerGenerateKeyFunction>(THROTTLER_KEY_GENERATOR, throttler) ??
        throttler.generateKey ??
        this.commonOptions.generateKey!,
      ignoresUserAgents: Boolean(throttler.ignoreUserAgents ?? this.commonOptions.ignoreUserAgents),
      headers: this.rateLimitHeaders(throttler),
    }));
  }
}

/** As the package resolves an option: a function of the request, a number, or a numeric string; waits only for a promise. */
function resolveNumber(
  context: ExecutionContext,
  value: Resolvable<number>,
  option: string,
  throttler: string | undefined,
): number | Promise<number> {
  const result: unknown = typeof value === 'function' ? value(context) : value;
  return result instanceof Promise
    ? result.then((resolved: unknown) => toNumber(resolved, option, throttler))
    : toNumber(result, option, throttler);
}

function toNumber(resolved: unknown, option: string, throttler: string | undefined): number {
  const number = typeof resolved === 'string' && resolved.trim() !== '' ? Number(resolved) : resolved;
  if (typeof number !== 'number' || Number.isNaN(number))
    throw new Error(
      `Invalid "${option}" for the "${throttler}" throttler: expected a number, got ${JSON.stringify(resolved)}.`,
    );
  return number;
}
