import type { EntityManager } from 'typeorm';
import { ApiException, ErrorCode } from '../../common/errors';

/** Rows somewhere else that keep a record from being deleted, e.g. `{ count: 2, noun: 'order line' }`. */
export interface BlockingRecords {
  count: number;
  noun: string;
}

/**
 * Counts the rows of `table` whose `column` equals `id`. Tables created by later migrations (licenses,
 * license templates) may not exist in every deployment of this module yet; they count as empty then.
 * `table` and `column` are names from code, never from a request.
 */
export async function countReferences(manager: EntityManager, table: string, column: string, id: number): Promise<number> {
  const [{ present }] = await manager.query('SELECT to_regclass($1) IS NOT NULL AS present', [table]);
  if (!present) return 0;
  const [{ count }] = await manager.query(`SELECT count(*)::int AS count FROM ${table} WHERE ${column} = $1`, [id]);
  return count;
}

const counted = ({ count, noun }: BlockingRecords) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/**
 * Refuses a delete with 409 InUse while anything still uses the record, naming what does:
 * "product 3 has 2 order lines and 1 release".
 */
export function assertNothingBlocks(subject: string, blockers: BlockingRecords[], advice: string): void {
  const present = blockers.filter((blocker) => blocker.count > 0).map(counted);
  if (present.length === 0) return;
  const list = present.length === 1 ? present[0] : `${present.slice(0, -1).join(', ')} and ${present[present.length - 1]}`;
  throw ApiException.conflict(`${subject} has ${list}; ${advice}`, ErrorCode.InUse);
}
