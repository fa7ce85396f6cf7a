import { FixedWindowThrottlerStorage } from './licensing-throttling';

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
