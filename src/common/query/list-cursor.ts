import { KeyObject, createHash, createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiException, ErrorCode } from '../errors';
import { malformedCursor } from './query-options';

/**
 * Keyset pagination: a list answer's `nextCursor` carries the sort values of its last row, and the next
 * request continues after them with a WHERE on the sort columns, which an index on them answers in index
 * time however deep the page (OFFSET walks every row it skips).
 *
 * The cursor is `<payload>.<signature>`, both base64url: the payload is JSON `[version, shape, values]`,
 * the signature an HMAC-SHA256 of the payload under a key derived from the service's JWT secret, so a
 * client can neither forge sort values (which would page anywhere) nor reuse a cursor of another
 * query: `shape` hashes the list, its filter (values included) and its sort.
 */

/** A sort value as it travels in a cursor: timestamps and decimals as PostgreSQL's exact text. */
export type CursorValue = string | number | boolean | null;

export interface ListCursor {
  shape: string;
  values: CursorValue[];
}

const VERSION = 1;
const SIGNATURE_BYTES = 16;
const CURSOR_FORM = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

// A KeyObject, not the bytes: createHmac imports raw key bytes again on every call, a measurable share of a list's CPU.
let signingKey: KeyObject = createSecretKey(randomBytes(32));

/**
 * Set once at start from JWT_SECRET, which every replica shares: a cursor answered by one replica
 * continues on another. Until then (specs of this folder) a random key of the process signs.
 */
export function useCursorSecret(secret: string): void {
  signingKey = createSecretKey(createHmac('sha256', secret).update('list-cursor').digest());
}

function sign(payload: string): Buffer {
  return createHmac('sha256', signingKey).update(payload).digest().subarray(0, SIGNATURE_BYTES);
}

/** A short digest of everything that decides which rows a list holds and in which order. */
export function cursorShape(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22);
}

export function encodeCursor(cursor: ListCursor): string {
  const payload = Buffer.from(JSON.stringify([VERSION, cursor.shape, cursor.values])).toString('base64url');
  return `${payload}.${sign(payload).toString('base64url')}`;
}

/** The cursor's content, after its signature was checked: 400 InvalidCursor when it is not one this server issued. */
export function decodeCursor(text: string): ListCursor {
  if (!CURSOR_FORM.test(text)) throw malformedCursor();
  const [payload, signature] = text.split('.');
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== SIGNATURE_BYTES || !timingSafeEqual(given, sign(payload))) {
    throw ApiException.badRequest(
      'cursor was altered or not issued by this server; pass the nextCursor of the previous page unchanged',
      ErrorCode.InvalidCursor,
    );
  }
  let content: unknown;
  try {
    content = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw malformedCursor();
  }
  if (!isCursorContent(content)) throw malformedCursor();
  return { shape: content[1], values: content[2] };
}

function isCursorContent(content: unknown): content is [number, string, CursorValue[]] {
  return (
    Array.isArray(content) &&
    content.length === 3 &&
    content[0] === VERSION &&
    typeof content[1] === 'string' &&
    Array.isArray(content[2]) &&
    content[2].every((value) => value === null || ['string', 'number', 'boolean'].includes(typeof value))
  );
}

/** The cursor, checked to belong to this list's shape: 400 CursorQueryMismatch otherwise. */
export function cursorFor(text: string, shape: string, keyCount: number): ListCursor {
  const cursor = decodeCursor(text);
  if (cursor.shape !== shape || cursor.values.length !== keyCount) {
    throw ApiException.badRequest(
      'cursor belongs to another list, filter or sort; send the path, filter and sort of the request that answered it, or leave cursor out to start again',
      ErrorCode.CursorQueryMismatch,
    );
  }
  return cursor;
}

/** One ORDER BY term of a list, as the keyset predicate needs it. */
export interface KeysetColumn {
  /** The column as SQL, `"license"."created_at"`. */
  sql: string;
  descending: boolean;
  /** Whether the column may hold NULL (PostgreSQL sorts NULL last ascending, first descending). */
  nullable: boolean;
}

export interface KeysetPredicate {
  sql: string;
  parameters: Record<string, CursorValue>;
}

/**
 * The rows that follow `values` in the order `columns` sort by (the last column is unique, the id
 * tiebreak): row i of the OR has the first i-1 columns equal and column i past its value. A NULL value
 * compiles to IS NULL / IS NOT NULL, so the text (not only the values) depends on where NULLs are,
 * which keeps it one prepared statement per NULL pattern.
 *
 * The first column's bound is repeated in front of the OR (`created_at <= $1 AND (…)`): PostgreSQL
 * starts an index scan at it, where an OR alone would be checked row by row from the start of the index.
 */
export function keysetPredicate(
  columns: readonly KeysetColumn[],
  values: readonly CursorValue[],
  parameterPrefix = 'cursor_',
): KeysetPredicate {
  if (columns.length === 0 || columns.length !== values.length) {
    throw new Error(`keysetPredicate: ${columns.length} columns but ${values.length} values`);
  }
  const parameters: Record<string, CursorValue> = {};
  const parameter = (index: number): string => {
    const name = `${parameterPrefix}${index}`;
    parameters[name] = values[index];
    return `:${name}`;
  };
  const equal = (index: number): string =>
    values[index] === null ? `${columns[index].sql} IS NULL` : `${columns[index].sql} = ${parameter(index)}`;
  /** Column `index` past its value, or undefined when no value can be (ascending, after the NULLs that end it). */
  const past = (index: number): string | undefined => {
    const { sql, descending, nullable } = columns[index];
    if (descending) return values[index] === null ? `${sql} IS NOT NULL` : `${sql} < ${parameter(index)}`;
    if (values[index] === null) return undefined;
    return nullable ? `(${sql} > ${parameter(index)} OR ${sql} IS NULL)` : `${sql} > ${parameter(index)}`;
  };
  const alternatives: string[] = [];
  for (let index = 0; index < columns.length; index++) {
    const after = past(index);
    if (after === undefined) continue;
    const ties = columns.slice(0, index).map((_, earlier) => equal(earlier));
    alternatives.push([...ties, after].join(' AND '));
  }
  if (alternatives.length === 0) return { sql: 'FALSE', parameters };
  const bound = leadingBound(columns[0], values[0], () => parameter(0));
  const any = alternatives.length === 1 ? alternatives[0] : alternatives.map((item) => `(${item})`).join(' OR ');
  if (bound === undefined || alternatives.length === 1) return { sql: any, parameters };
  return { sql: `${bound} AND (${any})`, parameters };
}

/** What every following row satisfies in the first column, as an index condition can use it. */
function leadingBound(column: KeysetColumn, value: CursorValue, parameter: () => string): string | undefined {
  if (column.descending) return value === null ? undefined : `${column.sql} <= ${parameter()}`;
  if (value === null) return `${column.sql} IS NULL`;
  return column.nullable ? undefined : `${column.sql} >= ${parameter()}`;
}

/** Rows after a cursor that one ORDER BY over one index range answers: see keysetSegments. */
export interface KeysetSegment {
  predicate: KeysetPredicate;
  /** Its rows all hold NULL in the first column, which then leaves its ORDER BY (IS NULL is no equality to the planner). */
  firstColumnNull: boolean;
}

/**
 * The rows after `values`, as the segments of the order they lie in, to be read one after the other until the
 * page is full. A nullable first column splits the order in two, its values and its NULLs (last ascending,
 * first descending); a single WHERE over both would need an OR that no index scan can start from
 * (`c > $1 OR c IS NULL` reads the index from its first entry), so each segment gets its own.
 */
export function keysetSegments(
  columns: readonly KeysetColumn[],
  values: readonly CursorValue[],
  parameterPrefix = 'cursor_',
): KeysetSegment[] {
  const [first, ...rest] = columns;
  if (!first.nullable)
    return [{ predicate: keysetPredicate(columns, values, parameterPrefix), firstColumnNull: false }];
  const nulls: KeysetSegment = { predicate: { sql: `${first.sql} IS NULL`, parameters: {} }, firstColumnNull: true };
  if (values[0] === null) {
    const after =
      rest.length === 0
        ? { sql: 'FALSE', parameters: {} }
        : keysetPredicate(rest, values.slice(1), `${parameterPrefix}r`);
    const restOfNulls: KeysetSegment = {
      predicate: { sql: `${first.sql} IS NULL AND (${after.sql})`, parameters: after.parameters },
      firstColumnNull: true,
    };
    if (!first.descending) return [restOfNulls];
    return [restOfNulls, { predicate: { sql: `${first.sql} IS NOT NULL`, parameters: {} }, firstColumnNull: false }];
  }
  // Past a value: `c >= $1` (or `<=`) is false for NULL, so the segment holds values only.
  const ofValues: KeysetSegment = {
    predicate: keysetPredicate([{ ...first, nullable: false }, ...rest], values, parameterPrefix),
    firstColumnNull: false,
  };
  return first.descending ? [ofValues] : [ofValues, nulls];
}
