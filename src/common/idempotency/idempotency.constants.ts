/** Route metadata of @Idempotent(): whose key it is. */
export const IDEMPOTENT = 'idempotency:caller';
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/**
 * Who a key belongs to: `principal` is the signed-in user or the API key the guard resolved; `userKey` is the
 * client Licensing API's credential, the user key in the body (its SHA-256 is stored, never the key).
 */
export type IdempotencyCaller = 'principal' | 'userKey';
