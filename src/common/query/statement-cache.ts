import type { CustomTypesConfig } from 'pg';
import type { ObjectLiteral, QueryRunner, SelectQueryBuilder } from 'typeorm';
import { queryPool } from '../../database/pool-query';

/** SQL that TypeORM generated for one shape of builder, with the names of its parameters in $1…$n order. */
interface Statement {
  sql: string;
  parameterNames: string[];
}

/** Shapes are few (one per code path × filter structure × sort × page size); the bound only guards against abuse. */
const MAX_STATEMENTS = 2000;
const statements = new Map<string, Statement>();

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
 * that TypeORM splices into the text (spread arrays, functions) are never cached.
 */
export async function readRawCached<T>(qb: SelectQueryBuilder<ObjectLiteral>, types?: CustomTypesConfig): Promise<T[]> {
  return run<T>(qb, 'rows', () => qb.getQuery(), types);
}

export async function countCached(qb: SelectQueryBuilder<ObjectLiteral>): Promise<number> {
  const rows = await run<{ cnt: string | number | null }>(qb, 'count', () => countQuery(qb).getQuery());
  const count = rows[0]?.cnt;
  return count ? Number.parseInt(String(count), 10) : 0;
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

/** `types`: pg's type parsers for the rows, honoured outside transactions (a transaction's runner takes none). */
async function run<T>(
  qb: SelectQueryBuilder<ObjectLiteral>,
  purpose: 'rows' | 'count',
  namedSql: () => string,
  types?: CustomTypesConfig,
): Promise<T[]> {
  const parameters = qb.getParameters();
  const key = shapeKey(qb, purpose, parameters);
  let statement = key === null ? null : (statements.get(key) ?? null);
  if (!statement) {
    statement = compile(namedSql(), parameters);
    if (key !== null && statement) remember(key, statement);
  }
  const queryRunner = (qb as unknown as { queryRunner?: QueryRunner }).queryRunner;
  if (!statement) {
    // Not cacheable: let TypeORM expand what it splices into the text.
    const [sql, values] = qb.connection.driver.escapeQueryWithParameters(namedSql(), parameters);
    return qb.connection.query(sql, values, queryRunner);
  }
  const values = statement.parameterNames.map((name) => parameters[name]);
  if (types && !queryRunner) return queryPool<T>(qb.connection, { text: statement.sql, values, types });
  return qb.connection.query(statement.sql, values, queryRunner);
}

function remember(key: string, statement: Statement): void {
  if (statements.size >= MAX_STATEMENTS) statements.delete(statements.keys().next().value!);
  statements.set(key, statement);
}

/**
 * $1…$n in place of `:name`, exactly as the PostgreSQL driver numbers them (a name used twice keeps its
 * number); null when a parameter would be spliced into the text instead of bound.
 */
function compile(sql: string, parameters: ObjectLiteral): Statement | null {
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
function shapeKey(qb: SelectQueryBuilder<ObjectLiteral>, purpose: string, parameters: ObjectLiteral): string | null {
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
