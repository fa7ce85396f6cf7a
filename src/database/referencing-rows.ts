import { EntityManager, QueryFailedError } from 'typeorm';
import { ApiException, ErrorCode } from '../common/errors';

/** Rows of another table that point at a record and keep it from being deleted. */
export interface Referrer {
  table: string;
  column: string;
  /** How one such row is named in a message: "order line", "license". */
  noun: string;
  /** When adding "s" to `noun` is wrong. */
  plural?: string;
}

/**
 * Refuses a delete with 409 InUse while other rows still point at the record, naming them all:
 * "product 3 has 2 order lines and 1 release; remove them first". One query counts every referrer.
 * Call it inside the transaction that locked the record, so nothing new can point at it meanwhile.
 * `referrers` are names from code, never from a request.
 */
export async function assertNotReferenced(
  manager: EntityManager,
  subject: string,
  id: number,
  referrers: readonly Referrer[],
  advice: string,
): Promise<void> {
  const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
  const counts = referrers.map(
    (referrer, index) =>
      `(SELECT count(*) FROM ${quote(referrer.table)} WHERE ${quote(referrer.column)} = $1)::int AS c${index}`,
  );
  const [row]: Array<Record<string, number>> = await manager.query(`SELECT ${counts.join(', ')}`, [id]);
  const present = referrers
    .map((referrer, index) => ({ referrer, count: row[`c${index}`] }))
    .filter((entry) => entry.count > 0);
  if (present.length === 0) return;
  const parts = present.map(
    ({ referrer, count }) => `${count} ${count === 1 ? referrer.noun : (referrer.plural ?? `${referrer.noun}s`)}`,
  );
  const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
  throw ApiException.conflict(`${subject} has ${list}; ${advice}`, ErrorCode.InUse);
}

function driverErrorOf(error: unknown): { code?: string; constraint?: string; table?: string } | undefined {
  return error instanceof QueryFailedError
    ? (error.driverError as { code?: string; constraint?: string; table?: string })
    : undefined;
}

/** Whether `error` is PostgreSQL refusing a duplicate in the named unique index. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const state = driverErrorOf(error);
  return state?.code === '23505' && state.constraint === constraint;
}
