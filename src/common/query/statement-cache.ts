import { createHash } from 'node:crypto';
import type { CustomTypesConfig } from 'pg';
import type { DataSource, ObjectLiteral, QueryRunner, SelectQueryBuilder } from 'typeorm';
import type { QueryExpressionMap } from 'typeorm/query-builder/QueryExpressionMap';
import { RawSqlResultsToEntityTransformer } from 'typeorm/query-builder/transformer/RawSqlResultsToEntityTransformer';
import { statementName } from '../../database/named-statements';
import { queryPool } from '../../database/pool-query';

/** SQL that TypeORM generated for one shape of builder, with the names of its parameters in $1…$n order. */
export interface CachedStatement {
  sql: string;
  parameterNames: string[];
  /** The shape's prepared statement name (before DATABASE_NAMED_STATEMENTS has its say); undefined: runs unnamed. */
  shapeName: string | undefined;
}

/** Shapes are few (one per code path × filter structure × sort × page size); the bound only guards against abuse. */
const MAX_STATEMENTS = 2000;
const statements = new Map<string, CachedStatement>();

/**
 * Shapes that run as named prepared statements: PostgreSQL parses and plans each once per connection (pg keeps a
 * connection's statements until it closes; nothing deallocates them), so their number is bounded and later shapes
 * run unnamed, their text still cached. A list endpoint has a handful of shapes in real use (filter structures ×
 * sorts × page sizes), each with a page and a count statement.
 */
export const MAX_NAMED_SHAPES = 256;
const namedShapes = new Map<string, string>();

/** `:name` as TypeORM's PostgreSQL driver finds parameters (`:...name` spreads an array). */
const PARAMETER = /:(\.\.\.)?([A-Za-z0-9_.]+)/g;

/**
 * The rows a builder selects, as `getRawMany` reads them, and its count, as `getCount` computes it,
 * without TypeORM rebuilding the same SQL text on every request.
 *
 * Building a list query costs TypeORM more CPU than PostgreSQL needs to run it on an index
 * (bench/licenses-list.bench.ts: a third of the list endpoint's CPU went to alias maps, property
 * name rewriting and select expressions). The text depends only on the builder's clauses, never on
 * parameter values, so it is generated once per shape and reused: the shape key is every clause of
 * the expression map that enters the SQL, with the parameters' names but not their values. Parameters
 * that TypeORM splices into the text (spread arrays, functions) are never cached. Outside a transaction each
 * shape runs as a named prepared statement (unless DATABASE_NAMED_STATEMENTS=false), so PostgreSQL does not parse
 * and plan it again on every request either.
 */
export async function readRawCached<T>(qb: SelectQueryBuilder<ObjectLiteral>, types?: CustomTypesConfig): Promise<T[]> {
  return run<T>(qb, 'rows', () => qb.getQuery(), types);
}

/**
 * The entities a builder selects and their raw rows, as `getRawAndEntities` answers them, from the cached text; null
 * when TypeORM must read them itself: a page over a to-many join (two queries, distinct ids first), relation ids or
 * relations loaded by further queries, or an entity whose loading runs listeners (afterLoad) that only TypeORM's own
 * read calls.
 */
export async function readEntitiesCached<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
): Promise<{ entities: T[]; raw: ObjectLiteral[] } | null> {
  if (!entitiesReadFromRaw(qb)) return null;
  const raw = await readRawCached<ObjectLiteral>(qb);
  return { entities: entitiesOf<T>(qb.expressionMap, qb.connection, runnerOf(qb), raw), raw };
}

/** Whether a builder's entities come from its raw rows alone (see readEntitiesCached). */
export function entitiesReadFromRaw(qb: SelectQueryBuilder<ObjectLiteral>): boolean {
  const map = qb.expressionMap;
  const main = map.mainAlias;
  if (!main?.hasMetadata || ((map.take || map.skip) && map.joinAttributes.length > 0)) return false;
  if (map.relationIdAttributes.length > 0 || map.relationLoadStrategy === 'query') return false;
  return !(
    main.metadata.afterLoadListeners.length > 0 ||
    qb.connection.subscribers.some((subscriber) => typeof subscriber.afterLoad === 'function')
  );
}

/** The entities of raw rows read with the SQL of the builder whose expression map this is. */
export function entitiesOf<T>(
  map: QueryExpressionMap,
  connection: DataSource,
  queryRunner: QueryRunner | undefined,
  raw: ObjectLiteral[],
): T[] {
  if (raw.length === 0) return [];
  const transformer = new RawSqlResultsToEntityTransformer(map, connection.driver, [], queryRunner);
  return transformer.transform(raw, map.mainAlias!) as T[];
}

export async function countCached(qb: SelectQueryBuilder<ObjectLiteral>): Promise<number> {
  return countOf(await run<CountRow>(qb, 'count', () => countQuery(qb).getQuery()));
}

type CountRow = { cnt: string | number | null };

export function countOf(rows: CountRow[]): number {
  const count = rows[0]?.cnt;
  return count ? Number.parseInt(String(count), 10) : 0;
}

/** The cached statement of the rows a builder selects (readRawCached); null when it cannot be cached. */
export function rowsStatement(qb: SelectQueryBuilder<ObjectLiteral>): CachedStatement | null {
  return cachedStatement(qb, 'rows', () => qb.getQuery());
}

/** The cached statement of a builder's count (countCached); null when it cannot be cached. */
export function countStatement(qb: SelectQueryBuilder<ObjectLiteral>): CachedStatement | null {
  return cachedStatement(qb, 'count', () => countQuery(qb).getQuery());
}

/** As SelectQueryBuilder.executeCountQuery builds it. */
function countQuery(qb: SelectQueryBuilder<ObjectLiteral>): SelectQueryBuilder<ObjectLiteral> {
  const expression = (qb as unknown as { computeCountExpression(): string }).computeCountExpression();
  return qb
    .clone()
    .orderBy()
    .groupBy()
    .offset(undefined)
    .limit(undefined)
    .skip(undefined)
    .take(undefined)
    .select(expression, 'cnt')
    .setOption('disable-global-order');
}

/** The query runner a builder was made on: a transaction's, or undefined for the pool. */
export function runnerOf(qb: SelectQueryBuilder<ObjectLiteral>): QueryRunner | undefined {
  return (qb as unknown as { queryRunner?: QueryRunner }).queryRunner;
}

/** `types`: pg's type parsers for the rows, honoured outside transactions (a transaction's runner takes none). */
async function run<T>(
  qb: SelectQueryBuilder<ObjectLiteral>,
  purpose: 'rows' | 'count',
  namedSql: () => string,
  types?: CustomTypesConfig,
): Promise<T[]> {
  const statement = cachedStatement(qb, purpose, namedSql);
  if (!statement) {
    // Not cacheable: let TypeORM expand what it splices into the text.
    const [sql, values] = qb.connection.driver.escapeQueryWithParameters(namedSql(), qb.getParameters());
    return qb.connection.query(sql, values, runnerOf(qb));
  }
  return runStatement<T>(qb.connection, runnerOf(qb), statement, qb.getParameters(), types);
}

function cachedStatement(
  qb: SelectQueryBuilder<ObjectLiteral>,
  purpose: 'rows' | 'count',
  namedSql: () => string,
): CachedStatement | null {
  const parameters = qb.getParameters();
  const key = shapeKey(qb, purpose, parameters);
  if (key === null) return null;
  let statement = statements.get(key);
  if (!statement) {
    const compiled = compile(namedSql(), parameters);
    if (!compiled) return null;
    statement = { ...compiled, shapeName: nameOf(key) };
    remember(key, statement);
  }
  return statement;
}

/** A cached statement with the values of `parameters`, by the names it was compiled with. */
export async function runStatement<T>(
  connection: DataSource,
  queryRunner: QueryRunner | undefined,
  statement: CachedStatement,
  parameters: ObjectLiteral,
  types?: CustomTypesConfig,
): Promise<T[]> {
  const values = statement.parameterNames.map((parameter) => parameters[parameter]);
  // A transaction's runner serves one client that TypeORM holds; its statements go as TypeORM sends them.
  if (queryRunner) return connection.query(statement.sql, values, queryRunner);
  const name = statement.shapeName === undefined ? undefined : statementName(statement.shapeName);
  if (!name && !types) return connection.query(statement.sql, values);
  return queryPool<T>(connection, { name, text: statement.sql, values, types });
}

/**
 * The prepared statement name of a shape: a digest of its key, which fixes its text, so that one name never
 * stands for two texts on a connection; undefined once MAX_NAMED_SHAPES shapes have names.
 */
function nameOf(key: string): string | undefined {
  let name = namedShapes.get(key);
  if (name === undefined && namedShapes.size < MAX_NAMED_SHAPES) {
    name = `list_${createHash('sha256').update(key).digest('base64url').slice(0, 24)}`;
    namedShapes.set(key, name);
  }
  return name;
}

function remember(key: string, statement: CachedStatement): void {
  if (statements.size >= MAX_STATEMENTS) statements.delete(statements.keys().next().value!);
  statements.set(key, statement);
}

/**
 * $1…$n in place of `:name`, exactly as the PostgreSQL driver numbers them (a name used twice keeps its
 * number); null when a parameter would be spliced into the text instead of bound.
 */
function compile(sql: string, parameters: ObjectLiteral): Omit<CachedStatement, 'shapeName'> | null {
  const parameterNames: string[] = [];
  const numbers = new Map<string, number>();
  let spliced = false;
  const text = sql.replace(PARAMETER, (full, spread: string | undefined, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(parameters, name)) return full;
    if (spread || typeof parameters[name] === 'function') {
      spliced = true;
      return full;
    }
    let number = numbers.get(name);
    if (number === undefined) {
      parameterNames.push(name);
      numbers.set(name, (number = parameterNames.length));
    }
    return `$${number}`;
  });
  return spliced ? null : { sql: text, parameterNames };
}

/** Every part of the expression map that enters a SELECT's text; null when the builder has parts this does not know. */
export function shapeKey(
  qb: SelectQueryBuilder<ObjectLiteral>,
  purpose: string,
  parameters: ObjectLiteral,
): string | null {
  const map = qb.expressionMap;
  const main = map.mainAlias;
  if (
    map.queryType !== 'select' ||
    !main?.hasMetadata ||
    map.subQuery ||
    map.commonTableExpressions.length ||
    map.relationIdAttributes.length ||
    map.lockMode
  )
    return null;
  if (Object.values(parameters).some((value) => typeof value === 'function')) return null;
  return JSON.stringify([
    purpose,
    main.metadata.tablePath,
    main.name,
    map.aliases.map((alias) => [
      alias.name,
      alias.type,
      alias.hasMetadata ? alias.metadata.tablePath : (alias.tablePath ?? alias.subQuery ?? null),
    ]),
    map.selects,
    map.selectDistinct,
    map.selectDistinctOn,
    map.joinAttributes.map((join) => [
      join.direction,
      typeof join.entityOrProperty === 'string' ? join.entityOrProperty : (join.metadata?.tablePath ?? null),
      join.alias.name,
      join.condition ?? null,
      join.isSelected,
      join.mapToProperty ?? null,
    ]),
    map.wheres,
    map.havings,
    map.orderBys,
    map.groupBys,
    map.take,
    map.skip,
    map.limit,
    map.offset,
    map.withDeleted,
    map.options,
    map.comment ?? null,
    map.disableEscaping,
    map.aliasNamePrefixingEnabled,
    map.extraAppendedAndWhereCondition,
    map.useIndex ?? null,
    map.timeTravel ?? null,
    Object.keys(parameters),
  ]);
}
