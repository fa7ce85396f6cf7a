/** `{ field: { from, to } }`: only the fields that changed, secrets as "[redacted]". */
export type AuditChanges = Record<string, { from: unknown; to: unknown }>;

export const REDACTED = '[redacted]';

/**
 * Members whose values never enter the trail: passwords and their hashes, keys (API keys, user keys, license
 * keys, activation tokens), client secrets, private key material and webhook secrets. A change to one still
 * shows, as "[redacted]" on both sides.
 */
const SECRET_MEMBER =
  /password|hash|secret|privatekey|private_key|^key$|apikey|userkey|licensekey|token$|^data$|keydata/i;

export function isSecretMember(name: string): boolean {
  return SECRET_MEMBER.test(name);
}

/** A value as JSON keeps it: dates as ISO text, binary as its length. */
export function auditValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The members of `fields` whose values differ between `before` and `after`; null when none did. */
export function diffChanges(fields: readonly string[], before: object | undefined, after: object): AuditChanges | null {
  const changes: AuditChanges = {};
  for (const field of fields) {
    const from = auditValue(before ? Reflect.get(before, field) : undefined);
    const to = auditValue(Reflect.get(after, field));
    if (same(from, to)) continue;
    changes[field] = isSecretMember(field) ? { from: before ? REDACTED : null, to: REDACTED } : { from, to };
  }
  return Object.keys(changes).length ? changes : null;
}
