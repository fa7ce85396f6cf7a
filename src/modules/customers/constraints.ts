import { EntityManager, QueryFailedError } from 'typeorm';

/** A table whose rows point at the record being deleted, and how to name those rows in a message. */
export interface Referrer {
  table: string;
  column: string;
  singular: string;
  plural: string;
}

export interface ReferrerCount {
  referrer: Referrer;
  count: number;
}

/**
 * Counts the rows of each referrer that point at `id`, skipping referrers whose table or column does
 * not exist yet: other modules' migrations create them later, and a statement naming a missing
 * table fails as a whole, so the existing ones are found first and only they are counted.
 */
export async function countReferrers(manager: EntityManager, referrers: readonly Referrer[], id: number): Promise<ReferrerCount[]> {
  if (referrers.length === 0) return [];
  const present: Array<{ position: string }> = await manager.query(
    `SELECT r.position FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(table_name, column_name, position)
      WHERE to_regclass('public.' || quote_ident(r.table_name)) IS NOT NULL
        AND EXISTS (SELECT 1 FROM pg_attribute a
                     WHERE a.attrelid = to_regclass('public.' || quote_ident(r.table_name))
                       AND a.attname = r.column_name AND NOT a.attisdropped)`,
    [referrers.map((referrer) => referrer.table), referrers.map((referrer) => referrer.column)],
  );
  const existing = present.map((row) => referrers[Number(row.position) - 1]);
  if (existing.length === 0) return [];
  const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
  const counts = existing.map((referrer, index) => `(SELECT count(*) FROM public.${quote(referrer.table)} WHERE ${quote(referrer.column)} = $1)::int AS c${index}`);
  const [row]: Array<Record<string, number>> = await manager.query(`SELECT ${counts.join(', ')}`, [id]);
  return existing.map((referrer, index) => ({ referrer, count: row[`c${index}`] })).filter((entry) => entry.count > 0);
}

/** "3 orders and 1 license" */
export function describeReferrers(counts: readonly ReferrerCount[]): string {
  const parts = counts.map(({ referrer, count }) => `${count} ${count === 1 ? referrer.singular : referrer.plural}`);
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

function sqlStateOf(error: unknown): { code?: string; constraint?: string; table?: string } | undefined {
  return error instanceof QueryFailedError ? (error.driverError as { code?: string; constraint?: string; table?: string }) : undefined;
}

/** Whether `error` is PostgreSQL refusing a duplicate in the named unique index. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const state = sqlStateOf(error);
  return state?.code === '23505' && state.constraint === constraint;
}

/** The referencing table when `error` is a foreign key blocking a delete, else undefined. */
export function foreignKeyBlocker(error: unknown): string | undefined {
  const state = sqlStateOf(error);
  return state?.code === '23503' ? (state.table ?? 'another table') : undefined;
}
