import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { Role, rolesAllowed } from '../auth/access';
import { ApiException, ErrorCode } from '../errors';
import { applyFilter } from './filter-compiler';
import { findField, findRelation, idFieldName, type QueryEntity, type QueryField } from './query-entity';
import type { QueryOptions } from './query-options';
import {
  columnMetadataOf,
  columnSql,
  isToMany,
  joinToOne,
  propertyReference,
  relationMetadataOf,
  rootScope,
  type QueryScope,
} from './query-scope';
import {
  cursorFor,
  cursorShape,
  encodeCursor,
  keysetSegments,
  type CursorValue,
  type KeysetSegment,
} from './list-cursor';
import { ISO_TIMESTAMP_TYPES } from '../../database/iso-timestamps';
import { countCached, readEntitiesCached, readRawCached } from './statement-cache';

export interface Page<T> {
  items: T[];
  /** Rows matching the filter, before paging; null when the request asked withTotal=false. */
  total: number | null;
  /** Continues the same filter and sort after the last item; null when no rows follow. */
  nextCursor: string | null;
}

export type PageOptions = Pick<
  QueryOptions,
  'filter' | 'sort' | 'take' | 'skip' | 'countOnly' | 'withTotal' | 'cursor'
>;

const SORT_TERM = /^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(?:\s+(asc|ascending|desc|descending))?$/i;
const SORT_EXAMPLE = 'e.g. "createdAt desc, id"';

function invalidOption(message: string): ApiException {
  return ApiException.badRequest(message, ErrorCode.InvalidQueryOption);
}

/** Comma list items, trimmed; empty items (a trailing comma) are ignored. */
function listItems(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** One ORDER BY term, the id tiebreak included. */
interface SortTerm {
  scope: QueryScope;
  field: QueryField;
  /** As the request wrote it, for messages. */
  path: string;
  descending: boolean;
}

/**
 * Orders by `sort` (`Field [asc|desc]` comma list; to-one paths such as `customer.company` allowed),
 * then by the id field so pages are stable when sort values tie. No sort means id ascending.
 */
export function applySort<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  entity: QueryEntity,
  sort: string | undefined,
): SelectQueryBuilder<T> {
  sortBy(qb, alias, entity, sort);
  return qb;
}

function sortBy<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  entity: QueryEntity,
  sort: string | undefined,
): SortTerm[] {
  const root = rootScope(qb, alias, entity);
  const idField = entity.fields[idFieldName(entity)];
  const ordered = new Set<string>();
  const terms: SortTerm[] = [];
  for (const term of listItems(sort)) {
    const match = SORT_TERM.exec(term);
    if (!match) {
      throw invalidOption(`Invalid sort "${term}": write Field [asc|desc], separated by commas, ${SORT_EXAMPLE}`);
    }
    const [, path, direction = 'asc'] = match;
    const { scope, field } = resolveSortField(root, path);
    const reference = propertyReference(scope, field);
    if (ordered.has(reference)) throw invalidOption(`sort names "${path}" more than once`);
    ordered.add(reference);
    terms.push({ scope, field, path, descending: direction.toLowerCase().startsWith('desc') });
  }
  if (!ordered.has(propertyReference(root, idField))) {
    terms.push({ scope: root, field: idField, path: idFieldName(entity), descending: false });
  }
  for (const term of terms) qb.addOrderBy(propertyReference(term.scope, term.field), term.descending ? 'DESC' : 'ASC');
  return terms;
}

function resolveSortField(root: QueryScope, path: string): { scope: QueryScope; field: QueryField } {
  const segments = path.split('.');
  let scope = root;
  for (const [index, segment] of segments.slice(0, -1).entries()) {
    const found = findRelation(scope.entity, segment);
    if (!found) throw unknownSortField(scope.entity, path, segments.slice(0, index));
    const relation = found[1];
    if (isToMany(relationMetadataOf(scope, relation))) {
      throw invalidOption(
        `cannot sort by "${path}": ${found[0]} holds many items, so it has no single value to sort by`,
      );
    }
    scope = joinToOne(scope, relation);
  }
  const found = findField(scope.entity, segments[segments.length - 1]);
  if (!found || found[1].sortable === false) {
    throw unknownSortField(scope.entity, path, segments.slice(0, -1));
  }
  return { scope, field: found[1] };
}

function unknownSortField(entity: QueryEntity, path: string, walked: string[]): ApiException {
  const prefix = walked.map((segment) => `${segment}.`).join('');
  const sortable = Object.entries(entity.fields)
    .filter(([, field]) => field.sortable !== false)
    .map(([name]) => `${prefix}${name}`);
  const toOne = Object.keys(entity.relations ?? {}).map((name) => `${prefix}${name}.<field>`);
  return invalidOption(`Unknown sort field "${path}"; sortable: ${[...sortable, ...toOne].sort().join(', ')}`);
}

/**
 * Canonical public field names listed in `select`, in the order given, or undefined when the client
 * asked for every field. Select is applied to response DTOs with `pickFields`, not in SQL.
 */
export function parseSelect(entity: QueryEntity, select: string | undefined): string[] | undefined {
  const items = listItems(select);
  if (items.length === 0) return undefined;
  const names = items.map((item) => {
    const found = findField(entity, item);
    if (!found) {
      throw invalidOption(
        `Unknown field "${item}" in select; allowed: ${Object.keys(entity.fields).sort().join(', ')}`,
      );
    }
    return found[0];
  });
  return [...new Set(names)];
}

/**
 * Copies only the selected members of a response DTO, whose member names are the public names.
 * Pass included relation names along with the selected fields to keep them in the output.
 */
export function pickFields<T extends object>(dto: T, select: readonly string[] | undefined): Partial<T> {
  if (!select) return dto;
  const wanted = new Set(select);
  return Object.fromEntries(Object.entries(dto).filter(([key]) => wanted.has(key))) as Partial<T>;
}

/** Canonical names of the relations listed in `include`; loading them is up to the caller. */
export function parseInclude(
  entity: QueryEntity,
  include: string | undefined,
  reader?: { roles: readonly Role[] },
): string[] {
  const names = listItems(include).map((item) => {
    const found = findRelation(entity, item);
    if (!found || found[1].includable === false) {
      const allowed = Object.entries(entity.relations ?? {})
        .filter(([, relation]) => relation.includable !== false)
        .map(([name]) => name)
        .sort();
      const hint = allowed.length > 0 ? `allowed: ${allowed.join(', ')}` : `${entity.name} has nothing to include`;
      throw invalidOption(`Unknown relation "${item}" in include; ${hint}`);
    }
    const area = found[1].readArea;
    if (area) {
      if (!reader) throw new Error(`parseInclude(${entity.name}): relation "${found[0]}" needs the reader's roles`);
      const allowed = rolesAllowed(area, 'read');
      if (!reader.roles.some((role) => allowed.includes(role))) {
        throw ApiException.forbidden(
          `include=${found[0]} shows records your roles (${reader.roles.join(', ') || 'none'}) may not read; it needs one of: ${allowed.join(', ')}`,
        );
      }
    }
    return found[0];
  });
  return [...new Set(names)];
}

/**
 * LIMIT/OFFSET on the query itself. If the caller joined a to-many relation (to load an include),
 * rows are multiplied, so TypeORM's take/skip is used instead: it pages over distinct root ids.
 */
export function applyPaging<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  options: Pick<QueryOptions, 'take' | 'skip'>,
): SelectQueryBuilder<T> {
  const joinsToMany = qb.expressionMap.joinAttributes.some((join) => join.isMany);
  return joinsToMany ? qb.take(options.take).skip(options.skip) : qb.limit(options.take).offset(options.skip);
}

/**
 * Filter, count, sort and page in one go. Every option is validated before the first query runs.
 * The two queries run one after the other because a transaction's query runner serves one at a time.
 * The page reads one row more than `take` to know whether rows follow (then `nextCursor` continues after
 * the last row answered); `withTotal: false` leaves out the count.
 */
export async function findPage<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  entity: QueryEntity,
  options: PageOptions,
  reading: { raw?: boolean; isoTimestamps?: boolean } = {},
): Promise<Page<T>> {
  if (options.cursor !== undefined && options.skip > 0) {
    throw ApiException.badRequest(
      'cursor and skip cannot be combined: the cursor already says where the page starts; leave out skip',
      ErrorCode.CursorWithSkip,
    );
  }
  applyFilter(qb, alias, entity, options.filter);
  // Cloned before sorting: the count needs neither the ORDER BY nor joins made only to sort.
  const countQuery = options.withTotal === false ? undefined : qb.clone();
  const keyset = new Keyset(qb, alias, entity, sortBy(qb, alias, entity, options.sort));
  const segments = options.cursor === undefined ? [] : keyset.segmentsAfter(options.cursor, options.sort);
  const paged = options.take > 0 && !options.countOnly;
  const limit = { take: paged ? options.take + 1 : options.take, skip: options.skip };
  // Cloned before the first segment narrows the page's builder: each later segment starts from the list's rows.
  const later = paged
    ? segments.slice(1).map((segment) => applyPaging(keyset.restrict(qb.clone(), segment), limit))
    : [];
  if (segments.length > 0) keyset.restrict(qb, segments[0]);
  applyPaging(qb, limit);
  const total = countQuery ? await countCached(countQuery) : null;
  if (!paged) return { items: [], total, nextCursor: null };
  // The row a cursor would continue after; its timestamps and decimals come back as text too.
  const last = options.take - 1;
  const exact = keyset.exactKeys();
  const read = (builder: SelectQueryBuilder<T>, at: number) =>
    reading.raw
      ? readRaw(builder, alias, reading.isoTimestamps === true, { exact, at })
      : readEntities(builder, keyset, { exact, at });
  const rows: T[] = [];
  let exactValues: ObjectLiteral | undefined;
  for (const builder of [qb, ...later]) {
    const part = await read(builder, last - rows.length);
    exactValues ??= part.exactValues;
    rows.push(...part.rows);
    if (rows.length > options.take) break;
  }
  const more = rows.length > options.take;
  const items = more ? rows.slice(0, options.take) : rows;
  return { items, total, nextCursor: more ? keyset.cursorAfter(items[last], exactValues) : null };
}

/** Sort values read as PostgreSQL's text beside a page, and the row whose values are wanted. */
interface ExactKeys {
  exact: ExactKey[];
  at: number;
}

interface ReadPage<T> {
  rows: T[];
  /** The exact keys of row `at`, by their aliases. */
  exactValues: ObjectLiteral | undefined;
}

async function readEntities<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  keyset: Keyset,
  { exact, at }: ExactKeys,
): Promise<ReadPage<T>> {
  if (exact.length > 0) {
    for (const key of exact) qb.addSelect(key.sql, key.alias);
    qb.addSelect(keyset.idText, CURSOR_ID);
  }
  const { entities, raw } = (await readEntitiesCached(qb)) ?? (await qb.getRawAndEntities());
  if (exact.length === 0) return { rows: entities, exactValues: undefined };
  // A to-many join (an include) gives several raw rows per entity; the id tells which belong to it.
  const id = entities[at] && String(keyset.idOf(entities[at]));
  return { rows: entities, exactValues: id === undefined ? undefined : raw.find((row) => row[CURSOR_ID] === id) };
}

/** The sort of one list request as a keyset: the shape its cursors are bound to, their WHERE and their values. */
class Keyset {
  private readonly root: QueryScope;
  /** Fixed once the filter is on the builder and before the cursor's own WHERE joins it. */
  private readonly shape: string;

  constructor(
    private readonly qb: SelectQueryBuilder<ObjectLiteral>,
    alias: string,
    entity: QueryEntity,
    private readonly terms: SortTerm[],
  ) {
    this.root = rootScope(qb, alias, entity);
    const map = qb.expressionMap;
    this.shape = cursorShape([
      entity.name,
      map.mainAlias!.metadata.tablePath,
      map.wheres,
      qb.getParameters(),
      terms.map((term) => [propertyReference(term.scope, term.field), term.descending]),
    ]);
  }

  /** Sorts through a related record have no column of the listed table to continue from. */
  private get ownColumns(): boolean {
    return this.terms.every((term) => term.scope.alias === this.root.alias);
  }

  /** The segments of the order that follow the cursor (keysetSegments), checked to belong to this list. */
  segmentsAfter(cursor: string, sort: string | undefined): KeysetSegment[] {
    const related = this.terms.find((term) => term.scope.alias !== this.root.alias);
    if (related) {
      throw ApiException.badRequest(
        `cursor cannot follow sort "${related.path}", a field of a related record; sort by the list's own fields or page with skip (sort was "${sort ?? ''}")`,
        ErrorCode.CursorSortUnsupported,
      );
    }
    const { values } = cursorFor(cursor, this.shape, this.terms.length);
    const columns = this.terms.map((term) => ({
      sql: columnSql(term.scope, term.field),
      descending: term.descending,
      nullable: columnMetadataOf(term.scope, term.field).isNullable,
    }));
    return keysetSegments(columns, values, 'cursor_');
  }

  /** Narrows a builder (the page's or a clone) to one segment, in that segment's order. */
  restrict<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, segment: KeysetSegment): SelectQueryBuilder<T> {
    qb.andWhere(`(${segment.predicate.sql})`, segment.predicate.parameters);
    if (segment.firstColumnNull) {
      qb.orderBy();
      for (const term of this.terms.slice(1)) {
        qb.addOrderBy(propertyReference(term.scope, term.field), term.descending ? 'DESC' : 'ASC');
      }
    }
    return qb;
  }

  /**
   * Timestamps and decimals of the sort, to be read as PostgreSQL's text beside the page: a Date (or the ISO
   * string of one) has milliseconds, the column microseconds, and a cursor a microsecond short would repeat
   * or skip rows.
   */
  exactKeys(): ExactKey[] {
    if (!this.ownColumns) return [];
    return this.terms.flatMap((term, index) =>
      term.field.type === 'date' || term.field.type === 'decimal'
        ? [{ term: index, sql: `${columnSql(term.scope, term.field)}::text`, alias: `cursor_key_${index}` }]
        : [],
    );
  }

  get idText(): string {
    return `${columnSql(this.root, this.root.entity.fields[idFieldName(this.root.entity)])}::text`;
  }

  idOf(row: ObjectLiteral): unknown {
    return valueAt(row, this.root.entity.fields[idFieldName(this.root.entity)].property);
  }

  /** The cursor after `row`, or null when the sort goes through a related record. */
  cursorAfter(row: ObjectLiteral, exactValues: ObjectLiteral | undefined): string | null {
    if (!this.ownColumns) return null;
    const exact = this.exactKeys();
    const values = this.terms.map((term, index) => {
      const key = exact.find((candidate) => candidate.term === index);
      if (key && !exactValues) throw new Error(`findPage: the exact sort values of the page's last row were not read`);
      return cursorValue(key ? exactValues![key.alias] : valueAt(row, term.field.property));
    });
    return encodeCursor({ shape: this.shape, values });
  }
}

/** A sort column read as text beside the page, under `alias`, for term number `term`. */
interface ExactKey {
  term: number;
  sql: string;
  alias: string;
}

const CURSOR_ID = 'cursor_id';

function valueAt(row: ObjectLiteral, propertyPath: string): unknown {
  return propertyPath.split('.').reduce<unknown>((value, key) => (value as ObjectLiteral | undefined)?.[key], row);
}

function cursorValue(value: unknown): CursorValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * Rows read raw, each column under its property name, so they come back in the entity's shape
 * without TypeORM's entity transformer, which on a page of wide rows costs more CPU than the
 * queries (bench/licenses-list.bench.ts). Only for entities whose columns need no transformer.
 * With isoTimestamps, timestamptz columns arrive as their ISO-8601 strings rather than Dates (outside
 * transactions), for callers that answer them as strings anyway.
 */
async function readRaw<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  isoTimestamps: boolean,
  { exact, at }: ExactKeys,
): Promise<ReadPage<T>> {
  // Virtual columns are foreign keys with no property of their own; an entity read leaves them out too.
  const columns = qb.expressionMap.mainAlias!.metadata.columns.filter((column) => !column.isVirtual);
  const transformed = columns.find((column) => column.transformer || column.embeddedMetadata);
  if (transformed)
    throw new Error(
      `findPage raw: column ${transformed.propertyPath} needs TypeORM's transformer; read entities instead`,
    );
  qb.select([]);
  for (const column of columns) qb.addSelect(`${alias}.${column.propertyPath}`, column.propertyName);
  for (const key of exact) qb.addSelect(key.sql, key.alias);
  const rows = await readRawCached<T>(qb, isoTimestamps ? ISO_TIMESTAMP_TYPES : undefined);
  if (exact.length === 0) return { rows, exactValues: undefined };
  const exactValues = rows[at] && Object.fromEntries(exact.map((key) => [key.alias, rows[at][key.alias]]));
  // Deleted last-added first, which V8 undoes as a map transition: the rows keep their fast shape.
  const aliases = exact.map((key) => key.alias).reverse();
  for (const row of rows) for (const key of aliases) delete (row as ObjectLiteral)[key];
  return { rows, exactValues };
}
