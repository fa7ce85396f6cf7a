import { Principal } from './principal';

/** What an API key lookup found: the principal and what must be checked again on every use. */
export interface ApiKeyRecord {
  principal: Principal;
  revoked: boolean;
  /** Milliseconds since the epoch, or null for a key that never expires. */
  expiresAt: number | null;
}

interface Entry {
  storedAt: number;
  principal: Readonly<Principal>;
  revoked: boolean;
  expiresAt: number | null;
}

export interface PrincipalCacheOptions {
  /** 0 disables the cache. */
  maxAgeMs: number;
  maxEntries?: number;
  now?: () => number;
}

export const DEFAULT_MAX_PRINCIPAL_ENTRIES = 10_000;

function copyOf(principal: Readonly<Principal>): Principal {
  return { ...principal, roles: [...principal.roles] };
}

/**
 * Resolved callers by user id and by API key hash (never the plain key), so repeated requests need no
 * query. Bounded (oldest entry evicted first) and aged out after `maxAgeMs`.
 *
 * The cache only answers while `listening` is true: the owner sets it once it receives invalidations
 * (PostgreSQL NOTIFY) and clears it as soon as that channel is lost, so no change can be missed.
 * Every clear advances the generation; a lookup captures `generation` before its query and passes it
 * to `set…`, which drops the result if a clear happened meanwhile (the result may predate the change).
 * Answers are copies: a caller changing a principal cannot change what later requests get.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxAgeMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private listening = false;
  private currentGeneration = 0;

  constructor(options: PrincipalCacheOptions) {
    this.maxAgeMs = Math.max(0, options.maxAgeMs);
    this.maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_MAX_PRINCIPAL_ENTRIES);
    this.now = options.now ?? Date.now;
  }

  /** False when configured off (max age 0): nobody needs to listen for invalidations then. */
  get configured(): boolean {
    return this.maxAgeMs > 0;
  }

  /** True while lookups may be answered from (and stored into) the cache. */
  get active(): boolean {
    return this.configured && this.listening;
  }

  get size(): number {
    return this.entries.size;
  }

  get generation(): number {
    return this.currentGeneration;
  }

  /** Turning it on or off empties it: whatever was cached may have missed invalidations. */
  setListening(listening: boolean): void {
    this.clear();
    this.listening = listening;
  }

  clear(): void {
    this.currentGeneration++;
    this.entries.clear();
  }

  getUser(userId: string): Principal | undefined {
    const entry = this.read(`user:${userId}`);
    return entry && copyOf(entry.principal);
  }

  setUser(userId: string, principal: Principal, generation: number): void {
    this.write(`user:${userId}`, { principal, revoked: false, expiresAt: null }, generation);
  }

  /** The key's record; the caller checks `revoked` and `expiresAt` against the current time on every use. */
  getApiKey(keyHash: string): ApiKeyRecord | undefined {
    const entry = this.read(`key:${keyHash}`);
    return entry && { principal: copyOf(entry.principal), revoked: entry.revoked, expiresAt: entry.expiresAt };
  }

  setApiKey(keyHash: string, record: ApiKeyRecord, generation: number): void {
    this.write(`key:${keyHash}`, record, generation);
  }

  private read(key: string): Entry | undefined {
    if (!this.active) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.storedAt >= this.maxAgeMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private write(key: string, record: ApiKeyRecord, generation: number): void {
    if (!this.active || generation !== this.currentGeneration) return;
    const principal = Object.freeze(copyOf(record.principal));
    Object.freeze(principal.roles);
    // Re-inserting moves the key to the end, so the first key of the Map is always the oldest entry.
    this.entries.delete(key);
    this.entries.set(key, { storedAt: this.now(), principal, revoked: record.revoked, expiresAt: record.expiresAt });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
