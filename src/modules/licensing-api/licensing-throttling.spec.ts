import { ExecutionContext, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Reflector } from '@nestjs/core';
import { SkipThrottle, Throttle, ThrottlerModuleOptions } from '@nestjs/throttler';
import { AppConfig } from '../../config';
import { SettingsService } from '../settings/settings.service';
import {
  CLIENT_THROTTLER,
  FixedWindowThrottlerStorage,
  LICENSE_THROTTLER,
  LicensingThrottlerGuard,
  SharedThrottlerStorage,
  licensingThrottlerOptions,
} from './licensing-throttling';

describe('FixedWindowThrottlerStorage', () => {
  let storage: FixedWindowThrottlerStorage;
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    storage = new FixedWindowThrottlerStorage();
  });
  afterEach(() => {
    storage.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('counts hits per key and throttler within the window, then blocks for blockDuration', async () => {
    const hit = (key = 'a', name = 'client') => storage.increment(key, 60_000, 3, 30_000, name);
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    await hit();
    expect((await hit()).isBlocked).toBe(false);
    expect(await hit('a', 'license')).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(await hit('b')).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(await hit()).toEqual({ totalHits: 4, timeToExpire: 60, isBlocked: true, timeToBlockExpire: 30 });
    jest.advanceTimersByTime(10_000);
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 20 });
  });

  it('starts a new window after ttl, and lifts the block after blockDuration', async () => {
    const hit = () => storage.increment('k', 10_000, 1, 15_000, 'client');
    await hit();
    expect((await hit()).isBlocked).toBe(true);
    jest.advanceTimersByTime(10_000);
    // New window, still blocked until the block ends.
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: true, timeToBlockExpire: 5 });
    jest.advanceTimersByTime(5_000);
    expect(await hit()).toMatchObject({ totalHits: 2, isBlocked: true });
    jest.advanceTimersByTime(30_000);
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 10, isBlocked: false, timeToBlockExpire: 0 });
  });
});

describe('LicensingThrottlerGuard', () => {
  class Routes {
    plain(): void {}
    @SkipThrottle({ [CLIENT_THROTTLER]: true }) withoutAddressLimit(): void {}
    @Throttle({ [LICENSE_THROTTLER]: { limit: 1, ttl: 60_000 } }) strict(): void {}
  }
  let storage: FixedWindowThrottlerStorage;
  let guard: LicensingThrottlerGuard;
  let headers: Record<string, unknown>;

  beforeEach(async () => {
    storage = new FixedWindowThrottlerStorage();
    guard = new LicensingThrottlerGuard(
      {
        throttlers: [
          { name: CLIENT_THROTTLER, ttl: 60_000, limit: 2 },
          { name: LICENSE_THROTTLER, ttl: 60_000, limit: () => 4, getTracker: () => 'user-key' },
        ],
      },
      storage,
      new Reflector(),
    );
    await guard.onModuleInit();
    headers = {};
  });
  afterEach(() => storage.onApplicationShutdown());

  const call = (route: keyof Routes) => {
    const response = { header: (name: string, value: unknown) => (headers[name] = value) };
    const context = {
      getHandler: () => Routes.prototype[route],
      getClass: () => Routes,
      switchToHttp: () => ({ getRequest: () => ({ ip: '203.0.113.9', headers: {} }), getResponse: () => response }),
    } as unknown as ExecutionContext;
    return guard.canActivate(context);
  };

  it('limits per client address with the module options, and sets the limit headers', async () => {
    await call('plain');
    await call('plain');
    expect(headers['X-RateLimit-Limit-client']).toBe(2);
    expect(headers['X-RateLimit-Remaining-license']).toBe(2);
    await expect(call('plain')).rejects.toMatchObject({ status: 429 });
    expect(headers['Retry-After']).toBe('60');
  });

  it('honours @SkipThrottle and @Throttle on the route, read once and applied on every call', async () => {
    for (let index = 0; index < 4; index++) await call('withoutAddressLimit');
    await expect(call('withoutAddressLimit')).rejects.toMatchObject({ status: 429 });
    storage.onApplicationShutdown();
    storage = new FixedWindowThrottlerStorage();
    (guard as unknown as { storageService: FixedWindowThrottlerStorage }).storageService = storage;
    await call('strict');
    await expect(call('strict')).rejects.toMatchObject({ status: 429 });
  });
});

describe('licensingThrottlerOptions', () => {
  const settings = { get: async () => 100 } as unknown as SettingsService;
  const keyOf = (options: ThrottlerModuleOptions, tracker: string) =>
    (options as { generateKey: (context: unknown, tracker: string, name: string) => string }).generateKey(
      undefined,
      tracker,
      LICENSE_THROTTLER,
    );

  it('keeps user keys out of Redis: keys sent there are SHA-256 hashes', () => {
    Logger.overrideLogger(false);
    const options = licensingThrottlerOptions({ redisUrl: 'redis://127.0.0.1:1' } as AppConfig, settings);
    try {
      const key = keyOf(options, 'ABCDE-FGHIJ-KLMNO-PQRST');
      expect(key).not.toContain('ABCDE');
      expect(key).toBe(
        `licensing:${LICENSE_THROTTLER}:${createHash('sha256').update('ABCDE-FGHIJ-KLMNO-PQRST').digest('base64url')}`,
      );
    } finally {
      (options as unknown as { storage: SharedThrottlerStorage }).storage.onApplicationShutdown();
      Logger.overrideLogger(['log', 'error', 'warn']);
    }
  });

  it('counts in memory under the key itself, with nothing to hide it from', () => {
    const options = licensingThrottlerOptions({ redisUrl: undefined } as unknown as AppConfig, settings);
    try {
      expect(keyOf(options, 'ABCDE-FGHIJ')).toBe(`licensing:${LICENSE_THROTTLER}:ABCDE-FGHIJ`);
    } finally {
      (options as unknown as { storage: FixedWindowThrottlerStorage }).storage.onApplicationShutdown();
    }
  });
});
