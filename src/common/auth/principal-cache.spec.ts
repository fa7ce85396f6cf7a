import { Role } from './access';
import { Principal } from './principal';
import { ApiKeyRecord, PrincipalCache } from './principal-cache';

describe('PrincipalCache', () => {
  let now: number;
  const clock = () => now;
  const user = (userId = 'u1'): Principal => ({
    kind: 'user',
    userId,
    userName: 'alice',
    roles: [Role.Sales],
    permissions: 15,
  });
  const key = (expiresAt: number | null = null): ApiKeyRecord => ({
    principal: { kind: 'apiKey', userId: 'u1', userName: 'alice', roles: [Role.Sales], permissions: 1, apiKeyId: 7 },
    revoked: false,
    expiresAt,
  });
  const listeningCache = (maxAgeMs = 60_000, maxEntries?: number) => {
    const cache = new PrincipalCache({ maxAgeMs, maxEntries, now: clock });
    cache.setListening(true);
    return cache;
  };

  beforeEach(() => {
    now = 1_000_000;
  });

  it('answers what was stored, by user id and by key hash in separate namespaces', () => {
    const cache = listeningCache();
    cache.setUser('same', user('same'), cache.generation);
    expect(cache.getUser('same')).toEqual(user('same'));
    expect(cache.getApiKey('same')).toBeUndefined();
    cache.setApiKey('hash', key(), cache.generation);
    expect(cache.getApiKey('hash')).toEqual(key());
    expect(cache.getUser('hash')).toBeUndefined();
  });

  it("keeps the key's revocation and expiry so every use can check them against the current time", () => {
    const cache = listeningCache();
    cache.setApiKey('hash', { ...key(now + 5_000), revoked: true }, cache.generation);
    now += 10_000;
    // Still cached (younger than the max age): the caller sees the expiry has now passed.
    const record = cache.getApiKey('hash')!;
    expect(record.revoked).toBe(true);
    expect(record.expiresAt).toBeLessThanOrEqual(now);
  });

  it('forgets entries once they reach the max age', () => {
    const cache = listeningCache(60_000);
    cache.setUser('u1', user(), cache.generation);
    now += 59_999;
    expect(cache.getUser('u1')).toBeDefined();
    now += 1;
    expect(cache.getUser('u1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the oldest entry beyond the bound', () => {
    const cache = listeningCache(60_000, 3);
    for (const id of ['a', 'b', 'c']) cache.setUser(id, user(id), cache.generation);
    cache.setUser('a', user('a'), cache.generation); // stored again: now the newest
    cache.setUser('d', user('d'), cache.generation);
    expect(cache.size).toBe(3);
    expect(cache.getUser('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((id) => cache.getUser(id)?.userId)).toEqual(['a', 'c', 'd']);
  });

  it('drops a result whose lookup started before a clear (the result may predate the change)', () => {
    const cache = listeningCache();
    const generation = cache.generation; // captured before the query
    cache.clear(); // a notification arrives while the query runs
    cache.setUser('u1', user(), generation);
    cache.setApiKey('hash', key(), generation);
    expect(cache.getUser('u1')).toBeUndefined();
    expect(cache.getApiKey('hash')).toBeUndefined();
    cache.setUser('u1', user(), cache.generation);
    expect(cache.getUser('u1')).toBeDefined();
  });

  it('clears everything on a notification', () => {
    const cache = listeningCache();
    cache.setUser('u1', user(), cache.generation);
    cache.setApiKey('hash', key(), cache.generation);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('is bypassed and emptied while not listening, and drops lookups that started before listening resumed', () => {
    const cache = listeningCache();
    cache.setUser('u1', user(), cache.generation);
    cache.setListening(false);
    expect(cache.active).toBe(false);
    expect(cache.getUser('u1')).toBeUndefined();
    const generation = cache.generation;
    cache.setUser('u2', user('u2'), generation);
    expect(cache.size).toBe(0);
    cache.setListening(true);
    cache.setUser('u2', user('u2'), generation);
    expect(cache.getUser('u2')).toBeUndefined();
  });

  it('never caches with a max age of 0', () => {
    const cache = listeningCache(0);
    expect(cache.configured).toBe(false);
    expect(cache.active).toBe(false);
    cache.setUser('u1', user(), cache.generation);
    cache.setApiKey('hash', key(), cache.generation);
    expect(cache.size).toBe(0);
    expect(cache.getUser('u1')).toBeUndefined();
  });

  it('answers copies: a caller changing a principal does not change what the next caller gets', () => {
    const cache = listeningCache();
    const stored = user();
    cache.setUser('u1', stored, cache.generation);
    stored.roles.push(Role.Administrator); // the object handed to the cache stays the caller's
    const first = cache.getUser('u1')!;
    first.roles.push(Role.Administrator);
    first.userName = 'mallory';
    cache.setApiKey('hash', key(), cache.generation);
    cache.getApiKey('hash')!.principal.roles.push(Role.Administrator);
    expect(cache.getUser('u1')).toEqual(user());
    expect(cache.getApiKey('hash')!.principal.roles).toEqual([Role.Sales]);
  });
});
