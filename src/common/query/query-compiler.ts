import type { ObjectLiteral, QueryRunner, SelectQueryBuilder } from 'typeorm';
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
import { cursorFor, cursorShape, encodeCursor, keysetPredicate, type CursorValue } from './list-cursor';
import { ISO_TIMESTAMP_TYPES } from '../../database/iso-timestamps';
import { countCached, readRawCached } from './statement-cache';

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
  if (options.cursor !== undefined) keyset.continueAfter(options.cursor, options.sort);
  const paged = options.take > 0 && !options.countOnly;
  applyPaging(qb, { take: paged ? options.take + 1 : options.take, skip: options.skip });
  const total = countQuery ? await countCached(countQuery) : null;
  if (!paged) return { items: [], total, nextCursor: null };
  const rows = reading.raw ? await readRaw(qb, alias, reading.isoTimestamps === true) : await qb.getMany();
  const more = rows.length > options.take;
  const items = more ? rows.slice(0, options.take) : rows;
  return { items, total, nextCursor: more ? await keyset.cursorAfter(items[items.length - 1]) : null };
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

  continueAfter(cursor: string, sort: string | undefined): void {
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
    const predicate = keysetPredicate(columns, values, 'cursor_');
    this.qb.andWhere(`(${predicate.sql})`, predicate.parameters);
  }

  /**
   * The cursor after `row`, or null when the sort goes through a related record. Timestamps and
   * decimals are read again as PostgreSQL's text: a Date (or the ISO string of one) has milliseconds,
   * the column microseconds, and a cursor a microsecond short would repeat or skip rows.
   */
  async cursorAfter(row: ObjectLiteral): Promise<string | null> {
    if (!this.ownColumns) return null;
    const values: CursorValue[] = this.terms.map((term) => cursorValue(valueAt(row, term.field.property)));
    const exact = this.terms.flatMap((term, index) =>
      (term.field.type === 'date' || term.field.type === 'decimal') && values[index] !== null ? [index] : [],
    );
    if (exact.length > 0) {
      const id = valueAt(row, this.root.entity.fields[idFieldName(this.root.entity)].property);
      const texts = await this.readAsText(
        exact.map((index) => this.terms[index]),
        id,
      );
      if (!texts) return null;
      exact.forEach((index, position) => (values[index] = texts[position]));
    }
    return encodeCursor({ shape: this.shape, values });
  }

  /** The terms' columns of the row with this id as text; undefined when the row went meanwhile. */
  private async readAsText(terms: SortTerm[], id: unknown): Promise<(string | null)[] | undefined> {
    const escape = (name: string) => this.qb.escape(name);
    const idColumn = columnSql(this.root, this.root.entity.fields[idFieldName(this.root.entity)]);
    const selects = terms.map((term, index) => `${columnSql(term.scope, term.field)}::text AS ${escape(`k${index}`)}`);
    const sql = `SELECT ${selects.join(', ')} FROM ${escape(this.root.metadata.tablePath)} ${escape(this.root.alias)} WHERE ${idColumn} = $1`;
    const queryRunner = (this.qb as unknown as { queryRunner?: QueryRunner }).queryRunner;
    const rows: Record<string, string | null>[] = await this.qb.connection.query(sql, [id], queryRunner);
    return rows[0] && terms.map((_, index) => rows[0][`k${index}`]);
  }
}

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
): Promise<T[]> {
  // Virtual columns are foreign keys with no property of their own; an entity read leaves them out too.
  const columns = qb.expressionMap.mainAlias!.metadata.columns.filter((column) => !column.isVirtual);
  const transformed = columns.find((column) => column.transformer || column.embeddedMetadata);
  if (transformed)
    throw new Error(
      `findPage raw: column ${transformed.propertyPath} needs TypeORM's transformer; read entities instead`,
    );
  qb.select([]);
  for (const column of columns) qb.addSelect(`${alias}.${column.propertyPath}`, column.propertyName);
  return readRawCached<T>(qb, isoTimestamps ? ISO_TIMESTAMP_TYPES : undefined);
}
