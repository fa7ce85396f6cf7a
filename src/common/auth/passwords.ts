import * as argon2 from 'argon2';
import { availableParallelism } from 'node:os';
import { BoundedQueue } from '../concurrency/bounded-queue';
import { ApiException, ErrorCode } from '../errors';

/**
 * Every argon2 computation of the process goes through one queue: each takes 64 MiB and a core for a
 * noticeable time, so a burst of logins would otherwise stall every other request (and the libuv
 * thread pool argon2 shares with DNS and file I/O). Sized from the configuration at start.
 */
let hashing = new BoundedQueue(availableParallelism(), 8 * availableParallelism());

export function configurePasswordHashing(concurrency: number, queueLimit: number): void {
  hashing = new BoundedQueue(concurrency, queueLimit);
}

/** Whether a password operation started now would be accepted rather than refused as busy. */
export function passwordHashingHasRoom(): boolean {
  return hashing.hasRoom;
}

/** 503 with Retry-After: every hashing slot is busy and the queue is full. */
export class PasswordHashingBusyException extends ApiException {
  constructor() {
    super(ErrorCode.ServerBusy, 'The server is busy checking other passwords; try again in a second', 503, {
      retryAfterSeconds: 1,
    });
  }
}

async function queued<T>(work: () => Promise<T>): Promise<T> {
  const result = hashing.tryRun(work);
  if (!result) throw new PasswordHashingBusyException();
  return result;
}

/** argon2id with the library's defaults (64 MiB, t=3); verification reads the parameters from the hash. */
export function hashPassword(password: string): Promise<string> {
  return queued(() => argon2.hash(password, { type: argon2.argon2id }));
}

/** Throws PasswordHashingBusyException (before any work) when the hashing queue is full. */
export function verifyPassword(hash: string, password: string): Promise<boolean> {
  return queued(async () => {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  });
}
