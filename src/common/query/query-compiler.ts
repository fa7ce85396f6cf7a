import type { DataSource, ObjectLiteral, QueryRunner, SelectQueryBuilder } from 'typeorm';
import type { QueryExpressionMap } from 'typeorm/query-builder/QueryExpressionMap';
import { Role, rolesAllowed } from '../auth/access';
import { ApiException, ErrorCode } from '../errors';
import { compileFilter, parseFilterTemplate, type FilterBinding, type ParsedFilter } from './filter-compiler';
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
import {
  countCached,
  countOf,
  countStatement,
  entitiesOf,
  entitiesReadFromRaw,
  readEntitiesCached,
  readRawCached,
  rowsStatement,
  runStatement,
  runnerOf,
  shapeKey,
  type CachedStatement,
} from './statement-cache';

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
 *
 * A request without a cursor runs from a plan when an earlier one had the same shape: the caller's builder, the
 * filter's template, sort, take, skip and the reading. The plan holds the statements' SQL and how the filter's
 * literals bind to their parameters, so such a request builds no query of its own: building it took TypeORM and
 * this compiler more CPU than PostgreSQL needs to answer a page on an index (bench/licenses-list.bench.ts).
 */
export async function findPage<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  entity: QueryEntity,
  options: PageOptions,
  reading: PageReading = {},
): Promise<Page<T>> {
  if (options.cursor !== undefined && options.skip > 0) {
    throw ApiException.badRequest(
      'cursor and skip cannot be combined: the cursor already says where the page starts; leave out skip',
      ErrorCode.CursorWithSkip,
    );
  }
  const filter = parseFilterTemplate(options.filter);
  const callerParameters = qb.getParameters();
  const key = options.cursor === undefined ? planKey(qb, alias, options, reading, filter, callerParameters) : null;
  const known = key === null ? undefined : plans.get(entity)?.get(key);
  if (known) {
    const parameters = filter ? { ...callerParameters, ...known.bindFilter!(filter.literals) } : callerParameters;
    return runPlan(known, qb.connection, runnerOf(qb), parameters, options);
  }
  const bindFilter = filter ? compileFilter(qb, alias, entity, filter) : undefined;
  // Cloned before sorting: the count needs neither the ORDER BY nor joins made only to sort.
  const countQuery = options.withTotal === false ? undefined : qb.clone();
  const keyset = new Keyset(qb, alias, entity, sortBy(qb, alias, entity, options.sort));
  const parameters = qb.getParameters();
  const segments = options.cursor === undefined ? [] : keyset.segmentsAfter(options.cursor, options.sort, parameters);
  const paged = options.take > 0 && !options.countOnly;
  const limit = { take: paged ? options.take + 1 : options.take, skip: options.skip };
  if (paged) selectPage(qb, alias, keyset, reading);
  // Cloned before the first segment narrows the page's builder: each later segment starts from the list's rows.
  const later = paged
    ? segments.slice(1).map((segment) => applyPaging(keyset.restrict(qb.clone(), segment), limit))
    : [];
  if (segments.length > 0) keyset.restrict(qb, segments[0]);
  applyPaging(qb, limit);
  if (key !== null) {
    const plan = planOf(qb, countQuery, keyset, bindFilter, paged, reading);
    if (plan) {
      rememberPlan(entity, key, plan);
      return runPlan(plan, qb.connection, runnerOf(qb), parameters, options);
    }
  }
  const total = countQuery ? await countCached(countQuery) : null;
  if (!paged) return { items: [], total, nextCursor: null };
  // The row a cursor would continue after; its timestamps and decimals come back as text too.
  const last = options.take - 1;
  const read = (builder: SelectQueryBuilder<T>, at: number) =>
    reading.raw ? readRaw(builder, keyset, reading, at) : readEntities(builder, keyset, at);
  const rows: T[] = [];
  let exactValues: ObjectLiteral | undefined;
  for (const builder of [qb, ...later]) {
    const part = await read(builder, last - rows.length);
    exactValues ??= part.exactValues;
    rows.push(...part.rows);
    if (rows.length > options.take) break;
  }
  return pageOf(rows, total, options.take, keyset, exactValues, parameters);
}

/** How findPage reads rows: raw (only for entities whose columns need no transformer), timestamps as ISO text. */
interface PageReading {
  raw?: boolean;
  isoTimestamps?: boolean;
}

function pageOf<T extends ObjectLiteral>(
  rows: T[],
  total: number | null,
  take: number,
  keyset: Keyset,
  exactValues: ObjectLiteral | undefined,
  parameters: ObjectLiteral,
): Page<T> {
  const more = rows.length > take;
  const items = more ? rows.slice(0, take) : rows;
  return { items, total, nextCursor: more ? keyset.cursorAfter(items[take - 1], exactValues, parameters) : null };
}

/** The statements of one shape of list request, and what turns their rows into a page. */
interface PagePlan {
  /** Parameters of the filter's template from a request's literals; undefined without a filter. */
  bindFilter: FilterBinding | undefined;
  count: CachedStatement | undefined;
  page: CachedStatement | undefined;
  keyset: Keyset;
  /** Raw rows, and the ISO-text timestamps when asked for; otherwise entities, by the page builder's map. */
  reading: PageReading;
  map: QueryExpressionMap;
}

/** Plans by whitelist (two lists may share an entity name but not what they allow), then by request shape. */
const plans = new WeakMap<QueryEntity, Map<string, PagePlan>>();
/** Per whitelist; shapes are few in real use, the bound only guards against a client making up new ones. */
const MAX_PLANS = 500;

function rememberPlan(entity: QueryEntity, key: string, plan: PagePlan): void {
  let shapes = plans.get(entity);
  if (!shapes) plans.set(entity, (shapes = new Map()));
  if (shapes.size >= MAX_PLANS) shapes.delete(shapes.keys().next().value!);
  shapes.set(key, plan);
}

/** Everything that decides a plan's SQL; null when the caller's builder has parts the statement cache cannot key. */
function planKey(
  qb: SelectQueryBuilder<ObjectLiteral>,
  alias: string,
  options: PageOptions,
  reading: PageReading,
  filter: ParsedFilter | undefined,
  callerParameters: ObjectLiteral,
): string | null {
  const caller = shapeKey(qb, 'caller', callerParameters);
  if (caller === null) return null;
  return JSON.stringify([
    caller,
    alias,
    filter?.template ?? null,
    options.sort ?? '',
    options.take,
    options.skip,
    options.withTotal !== false,
    options.countOnly === true,
    reading.raw === true,
    reading.isoTimestamps === true,
  ]);
}

/** undefined when a statement cannot be cached or entities need TypeORM's own read. */
function planOf(
  qb: SelectQueryBuilder<ObjectLiteral>,
  countQuery: SelectQueryBuilder<ObjectLiteral> | undefined,
  keyset: Keyset,
  bindFilter: FilterBinding | undefined,
  paged: boolean,
  reading: PageReading,
): PagePlan | undefined {
  const count = countQuery && countStatement(countQuery);
  if (count === null) return undefined;
  if (paged && !reading.raw && !entitiesReadFromRaw(qb)) return undefined;
  const page = paged ? rowsStatement(qb) : undefined;
  if (page === null) return undefined;
  return { bindFilter, count, page, keyset, reading, map: qb.expressionMap };
}

async function runPlan<T extends ObjectLiteral>(
  plan: PagePlan,
  connection: DataSource,
  queryRunner: QueryRunner | undefined,
  parameters: ObjectLiteral,
  options: PageOptions,
): Promise<Page<T>> {
  const total = plan.count ? countOf(await runStatement(connection, queryRunner, plan.count, parameters)) : null;
  if (!plan.page) return { items: [], total, nextCursor: null };
  const types = plan.reading.raw && plan.reading.isoTimestamps ? ISO_TIMESTAMP_TYPES : undefined;
  const raw = await runStatement<T>(connection, queryRunner, plan.page, parameters, types);
  const at = options.take - 1;
  const { rows, exactValues } = plan.reading.raw
    ? rawPage(raw, plan.keyset, at)
    : entityPage(entitiesOf<T>(plan.map, connection, queryRunner, raw), raw, plan.keyset, at);
  return pageOf(rows, total, options.take, plan.keyset, exactValues, parameters);
}

/**
 * The page's columns: for raw reads each column under its property name; for both, the exact sort keys
 * (and, for entities, the id as text, which tells the rows of an entity apart).
 */
function selectPage(qb: SelectQueryBuilder<ObjectLiteral>, alias: string, keyset: Keyset, reading: PageReading): void {
  if (reading.raw) {
    // Virtual columns are foreign keys with no property of their own; an entity read leaves them out too.
    const columns = qb.expressionMap.mainAlias!.metadata.columns.filter((column) => !column.isVirtual);
    const transformed = columns.find((column) => column.transformer || column.embeddedMetadata);
    if (transformed)
      throw new Error(
        `findPage raw: column ${transformed.propertyPath} needs TypeORM's transformer; read entities instead`,
      );
    qb.select([]);
    for (const column of columns) qb.addSelect(`${alias}.${column.propertyPath}`, column.propertyName);
    for (const key of keyset.exact) qb.addSelect(key.sql, key.alias);
    return;
  }
  if (keyset.exact.length > 0) {
    for (const key of keyset.exact) qb.addSelect(key.sql, key.alias);
    qb.addSelect(keyset.idText, CURSOR_ID);
  }
}

interface ReadPage<T> {
  rows: T[];
  /** The exact keys of row `at`, by their aliases. */
  exactValues: ObjectLiteral | undefined;
}

async function readEntities<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  keyset: Keyset,
  at: number,
): Promise<ReadPage<T>> {
  const { entities, raw } = (await readEntitiesCached(qb)) ?? (await qb.getRawAndEntities());
  return entityPage(entities, raw, keyset, at);
}

function entityPage<T extends ObjectLiteral>(
  entities: T[],
  raw: ObjectLiteral[],
  keyset: Keyset,
  at: number,
): ReadPage<T> {
  if (keyset.exact.length === 0) return { rows: entities, exactValues: undefined };
  // A to-many join (an include) gives several raw rows per entity; the id tells which belong to it.
  const id = entities[at] && String(keyset.idOf(entities[at]));
  return { rows: entities, exactValues: id === undefined ? undefined : raw.find((row) => row[CURSOR_ID] === id) };
}

/** The sort of one list request as a keyset: the shape its cursors are bound to, their WHERE and their values. */
class Keyset {
  private readonly root: QueryScope;
  /**
   * What the cursor shape hashes besides the parameters' values: taken once the filter is on the builder and before
   * the cursor's own WHERE joins it, so that the plan of a later request computes the same shape from its values.
   */
  private readonly shapeParts: [entity: string, table: string, wheres: unknown[], terms: unknown[]];
  /** Timestamps and decimals of the sort, read as PostgreSQL's text beside the page (exactKeys). */
  readonly exact: ExactKey[];

  constructor(
    qb: SelectQueryBuilder<ObjectLiteral>,
    alias: string,
    entity: QueryEntity,
    private readonly terms: SortTerm[],
  ) {
    this.root = rootScope(qb, alias, entity);
    const map = qb.expressionMap;
    this.shapeParts = [
      entity.name,
      map.mainAlias!.metadata.tablePath,
      map.wheres.slice(),
      terms.map((term) => [propertyReference(term.scope, term.field), term.descending]),
    ];
    this.exact = this.exactKeys();
  }

  /** The list, its filter with the values in `parameters`, and its sort, as one digest. */
  private shapeOf(parameters: ObjectLiteral): string {
    const [entity, table, wheres, terms] = this.shapeParts;
    return cursorShape([entity, table, wheres, parameters, terms]);
  }

  /** Sorts through a related record have no column of the listed table to continue from. */
  private get ownColumns(): boolean {
    return this.terms.every((term) => term.scope.alias === this.root.alias);
  }

  /** The segments of the order that follow the cursor (keysetSegments), checked to belong to this list. */
  segmentsAfter(cursor: string, sort: string | undefined, parameters: ObjectLiteral): KeysetSegment[] {
    const related = this.terms.find((term) => term.scope.alias !== this.root.alias);
    if (related) {
      throw ApiException.badRequest(
        `cursor cannot follow sort "${related.path}", a field of a related record; sort by the list's own fields or page with skip (sort was "${sort ?? ''}")`,
        ErrorCode.CursorSortUnsupported,
      );
    }
    const { values } = cursorFor(cursor, this.shapeOf(parameters), this.terms.length);
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
  private exactKeys(): ExactKey[] {
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
  cursorAfter(row: ObjectLiteral, exactValues: ObjectLiteral | undefined, parameters: ObjectLiteral): string | null {
    if (!this.ownColumns) return null;
    const exact = this.exact;
    const values = this.terms.map((term, index) => {
      const key = exact.find((candidate) => candidate.term === index);
      if (key && !exactValues) throw new Error(`findPage: the exact sort values of the page's last row were not read`);
      return cursorValue(key ? exactValues![key.alias] : valueAt(row, term.field.property));
    });
    return encodeCursor({ shape: this.shapeOf(parameters), values });
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
 * Rows read raw, each column under its property name (selectPage), so they come back in the entity's shape
 * without TypeORM's entity transformer, which on a page of wide rows costs more CPU than the
 * queries (bench/licenses-list.bench.ts). Only for entities whose columns need no transformer.
 * With isoTimestamps, timestamptz columns arrive as their ISO-8601 strings rather than Dates (outside
 * transactions), for callers that answer them as strings anyway.
 */
async function readRaw<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  keyset: Keyset,
  reading: PageReading,
  at: number,
): Promise<ReadPage<T>> {
  return rawPage(await readRawCached<T>(qb, reading.isoTimestamps ? ISO_TIMESTAMP_TYPES : undefined), keyset, at);
}

/** The exact sort keys of row `at`, taken off every row. */
function rawPage<T extends ObjectLiteral>(rows: T[], keyset: Keyset, at: number): ReadPage<T> {
  const exact = keyset.exact;
  if (exact.length === 0) return { rows, exactValues: undefined };
  const exactValues = rows[at] && Object.fromEntries(exact.map((key) => [key.alias, rows[at][key.alias]]));
  // Deleted last-added first, which V8 undoes as a map transition: the rows keep their fast shape.
  const aliases = exact.map((key) => key.alias).reverse();
  for (const row of rows) for (const key of aliases) delete (row as ObjectLiteral)[key];
  return { rows, exactValues };
}
