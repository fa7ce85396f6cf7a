import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type {
  ComparisonOperator,
  FilterNode,
  LiteralNode,
  MemberNode,
  MemberSegment,
  StringMethod,
} from './filter.ast';
import { filterErrorAt, invalidFilter, parseFilter } from './filter-parser';
import { isUuid } from '../uuid';
import { findField, findRelation, idFieldName, type QueryEntity, type QueryField } from './query-entity';
import {
  columnMetadataOf,
  columnSql,
  isToMany,
  joinToOne,
  openToManyScope,
  relationMetadataOf,
  rootScope,
  type QueryScope,
} from './query-scope';

/** A filter parsed, with the part that decides its SQL (its template) apart from its values. */
export interface ParsedFilter {
  tree: FilterNode;
  /**
   * The tree without offsets and with each literal reduced to its type: two filters with one template compile to
   * the same SQL with the same parameter names, so a compiled filter's binding serves both.
   */
  template: string;
  /** The tree's literals in the order the template meets them. */
  literals: LiteralNode[];
}

/** Parameters of a filter that has the template of the compiled one, from its literals; the values' 400s included. */
export type FilterBinding = (literals: readonly LiteralNode[]) => Record<string, unknown>;

/** undefined for a blank filter; a 400 (ErrorCode.InvalidFilter) for bad syntax. */
export function parseFilterTemplate(filter: string | undefined): ParsedFilter | undefined {
  if (!filter?.trim()) return undefined;
  const tree = parseFilter(filter);
  const literals: LiteralNode[] = [];
  const template = JSON.stringify(tree, (key, value: unknown) => {
    if (key === 'offset') return undefined;
    if ((value as LiteralNode | null)?.kind === 'literal') {
      literals.push(value as LiteralNode);
      return (value as LiteralNode).type;
    }
    return value;
  });
  return { tree, template, literals };
}

/**
 * Parses `filter`, checks it against the entity's whitelist and adds it to `qb` as one
 * parameterised WHERE condition. A blank filter adds nothing. Throws a 400 ApiException
 * (ErrorCode.InvalidFilter) for bad syntax, unknown fields and type mismatches; after such an error
 * the builder may hold unused joins and should be discarded, as the request is failing anyway.
 */
export function applyFilter<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  entity: QueryEntity,
  filter: string | undefined,
): SelectQueryBuilder<T> {
  const parsed = parseFilterTemplate(filter);
  if (parsed) compileFilter(qb, alias, entity, parsed);
  return qb;
}

/** applyFilter for a filter already parsed; answers how to bind another filter of the same template. */
export function compileFilter(
  qb: SelectQueryBuilder<ObjectLiteral>,
  alias: string,
  entity: QueryEntity,
  parsed: ParsedFilter,
): FilterBinding {
  const compilation = new FilterCompilation(new Set(Object.keys(qb.getParameters())), parsed.literals);
  const condition = compilation.condition(parsed.tree, rootScope(qb, alias, entity), false);
  qb.andWhere(condition, compilation.parameters);
  return compilation.binding();
}

/** The field a predicate applies to, once its member path has been resolved. */
interface FilterTarget {
  field: QueryField;
  column: string;
  nullable: boolean;
  /** The path as the client wrote it, for messages. */
  label: string;
}

/** A parameter's value from the literals of a tree of the compiled template (throws the 400 a wrong value deserves). */
type LiteralBinding = (literals: readonly LiteralNode[]) => unknown;

const SQL_OPERATORS: Record<ComparisonOperator, string> = { eq: '=', ne: '<>', lt: '<', le: '<=', gt: '>', ge: '>=' };
const WRITTEN_OPERATORS: Record<ComparisonOperator, string> = {
  eq: '==',
  ne: '!=',
  lt: '<',
  le: '<=',
  gt: '>',
  ge: '>=',
};
const OPPOSITE_OPERATORS: Record<ComparisonOperator, ComparisonOperator> = {
  eq: 'ne',
  ne: 'eq',
  lt: 'ge',
  le: 'gt',
  gt: 'le',
  ge: 'lt',
};
/** `5 < rating` is rewritten as `rating > 5`. */
const MIRRORED_OPERATORS: Record<ComparisonOperator, ComparisonOperator> = {
  eq: 'eq',
  ne: 'ne',
  lt: 'gt',
  le: 'ge',
  gt: 'lt',
  ge: 'le',
};
const METHOD_NAMES: Record<StringMethod, string> = {
  contains: 'Contains',
  startsWith: 'StartsWith',
  endsWith: 'EndsWith',
};

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const ISO_INSTANT_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2}))?)?$/i;
const DATE_EXAMPLE = '"2024-01-31" or "2024-01-31T12:00:00Z"';

/**
 * Compiles one filter tree. Every condition it returns is parenthesised wherever it has a top-level
 * AND or OR, so it can be combined with the caller's own WHERE clauses as it is.
 *
 * NOT is pushed down to the predicates (`negated`) rather than emitted as SQL NOT, so rows whose
 * column is NULL are kept or dropped as the original .NET service did: there `Company != "Acme"`
 * and `!(Rating > 3)` match rows where the value is null, which SQL's three-valued logic would drop.
 */
class FilterCompilation {
  readonly parameters: Record<string, unknown> = {};
  private nextParameter = 0;
  /** Each parameter's name and how its value follows from the literals. */
  private readonly bindings: Array<[name: string, bind: LiteralBinding]> = [];

  constructor(
    private readonly takenParameterNames: Set<string>,
    private readonly literals: readonly LiteralNode[],
  ) {}

  binding(): FilterBinding {
    const bindings = this.bindings;
    return (literals) => {
      const parameters: Record<string, unknown> = {};
      for (const [name, bind] of bindings) parameters[name] = bind(literals);
      return parameters;
    };
  }

  /** Where the template meets `literal`, so that a binding finds the same literal of another tree. */
  private literalIndex(literal: LiteralNode): number {
    const index = this.literals.indexOf(literal);
    if (index < 0) throw new Error('FilterCompilation: a literal of the tree is missing from its template');
    return index;
  }

  condition(node: FilterNode, scope: QueryScope, negated: boolean): string {
    switch (node.kind) {
      case 'and':
      case 'or': {
        const joiner = (node.kind === 'and') !== negated ? ' AND ' : ' OR ';
        return `(${node.operands.map((operand) => this.condition(operand, scope, negated)).join(joiner)})`;
      }
      case 'not':
        return this.condition(node.operand, scope, !negated);
      case 'comparison':
        return this.comparison(node.operator, node.left, node.right, node.offset, scope, negated);
      case 'methodCall':
        return this.onMember(node.target, scope, negated, (target, negatedHere) =>
          this.methodCall(target, node.method, node.argument, negatedHere),
        );
      case 'inList':
        return this.onMember(node.target, scope, negated, (target, negatedHere) =>
          this.inList(target, node.values, negatedHere),
        );
      case 'member':
        // A bare yes/no field is a condition of its own: `IsReseller`, `!IsReseller`.
        return this.onMember(node, scope, negated, (target, negatedHere) => {
          if (target.field.type !== 'boolean') {
            throw filterErrorAt(
              node.offset,
              `${target.label} is not a true/false field, so it cannot stand alone as a condition; ` +
                `compare it with a value, e.g. ${target.label} == …`,
            );
          }
          return this.compareWithValue(target, 'eq', () => true, negatedHere);
        });
      case 'literal':
        throw filterErrorAt(node.offset, 'expected a condition such as Name == "value" but found a lone value');
    }
  }

  private comparison(
    operator: ComparisonOperator,
    left: MemberNode | LiteralNode,
    right: MemberNode | LiteralNode,
    offset: number,
    scope: QueryScope,
    negated: boolean,
  ): string {
    if (left.kind === 'literal' && right.kind === 'member') {
      return this.comparison(MIRRORED_OPERATORS[operator], right, left, offset, scope, negated);
    }
    if (left.kind === 'literal' || right.kind === 'member') {
      throw filterErrorAt(offset, 'a comparison needs one field and one value, e.g. Name == "value"');
    }
    const value = right;
    return this.onMember(left, scope, negated, (target, negatedHere) => {
      if (value.type === 'null') {
        if (operator !== 'eq' && operator !== 'ne') {
          throw filterErrorAt(value.offset, `only == and != can compare with null`);
        }
        const wantsNull = (operator === 'eq') !== negatedHere;
        return `${target.column} IS ${wantsNull ? '' : 'NOT '}NULL`;
      }
      if (operator !== 'eq' && operator !== 'ne' && !isOrdered(target.field)) {
        throw filterErrorAt(
          offset,
          `${target.label} cannot be compared with ${WRITTEN_OPERATORS[operator]}; use == or !=`,
        );
      }
      const index = this.literalIndex(value);
      return this.compareWithValue(target, operator, (literals) => literalValue(target, literals[index]), negatedHere);
    });
  }

  private compareWithValue(
    target: FilterTarget,
    operator: ComparisonOperator,
    value: LiteralBinding,
    negated: boolean,
  ): string {
    const sqlOperator = SQL_OPERATORS[negated ? OPPOSITE_OPERATORS[operator] : operator];
    // In .NET a null value is "not equal" to everything and fails every other comparison.
    const nullMatches = (operator === 'ne') !== negated;
    return this.orNull(`${target.column} ${sqlOperator} ${this.parameter(value)}`, target, nullMatches);
  }

  private methodCall(target: FilterTarget, method: StringMethod, argument: LiteralNode, negated: boolean): string {
    if (target.field.type !== 'string') {
      throw filterErrorAt(
        argument.offset,
        `${METHOD_NAMES[method]} works only on text fields, and ${target.label} is a ${target.field.type} field`,
      );
    }
    if (argument.type !== 'string') {
      const name = METHOD_NAMES[method];
      throw filterErrorAt(argument.offset, `${name} needs a quoted string, e.g. ${name}("abc")`);
    }
    const index = this.literalIndex(argument);
    const pattern = (literals: readonly LiteralNode[]) => likePattern(method, String(literals[index].value));
    // ILIKE: the original service matched text case-insensitively.
    const sql = `${target.column} ${negated ? 'NOT ILIKE' : 'ILIKE'} ${this.parameter(pattern)}`;
    return this.orNull(sql, target, negated);
  }

  private inList(target: FilterTarget, values: LiteralNode[], negated: boolean): string {
    const listsNull = values.some((value) => value.type === 'null');
    const indexes = values.filter((value) => value.type !== 'null').map((value) => this.literalIndex(value));
    // One array parameter whatever the list length: `= ANY($1)` rather than `IN ($1, $2, …)`.
    const list =
      indexes.length > 0
        ? this.parameter((literals) => indexes.map((index) => literalValue(target, literals[index])))
        : undefined;
    if (!negated) {
      if (!list) return `${target.column} IS NULL`;
      const matches = `${target.column} = ANY(${list})`;
      return listsNull ? `(${matches} OR ${target.column} IS NULL)` : matches;
    }
    if (!list) return `${target.column} IS NOT NULL`;
    return this.orNull(`${target.column} <> ALL(${list})`, target, !listsNull);
  }

  private orNull(sql: string, target: FilterTarget, nullMatches: boolean): string {
    return nullMatches && target.nullable ? `(${sql} OR ${target.column} IS NULL)` : sql;
  }

  /**
   * Resolves `member` from `scope` and lets `predicate` build the SQL on the field it reaches.
   * To-one relations are joined; a to-many relation turns the rest of the path into an EXISTS
   * sub-query ("any related row matches"), so the root rows are never multiplied.
   */
  private onMember(
    member: MemberNode,
    scope: QueryScope,
    negated: boolean,
    predicate: (target: FilterTarget, negated: boolean) => string,
    walked: MemberSegment[] = [],
  ): string {
    const [segment, ...rest] = member.path.slice(walked.length);
    const label = [...walked, segment].map((step) => step.name).join('.');
    if (rest.length === 0) {
      const found = findField(scope.entity, segment.name);
      if (!found || found[1].filterable === false) {
        const relation = findRelation(scope.entity, segment.name);
        if (relation) {
          const example = `${label}.${idFieldName(relation[1].target())}`;
          throw filterErrorAt(segment.offset, `${label} is a relation; compare one of its fields, e.g. ${example}`);
        }
        throw unknownField(scope.entity, label, walked, segment.offset);
      }
      const field = found[1];
      const nullable = scope.optional || columnMetadataOf(scope, field).isNullable;
      return predicate({ field, column: columnSql(scope, field), nullable, label }, negated);
    }
    const found = findRelation(scope.entity, segment.name);
    if (!found) {
      if (findField(scope.entity, segment.name)) {
        throw filterErrorAt(
          rest[0].offset,
          `${label} is a field, not a relation, so it has no member "${rest[0].name}"`,
        );
      }
      throw unknownField(scope.entity, label, walked, segment.offset);
    }
    const relation = found[1];
    const steps = [...walked, segment];
    if (!isToMany(relationMetadataOf(scope, relation))) {
      return this.onMember(member, joinToOne(scope, relation), negated, predicate, steps);
    }
    const itemScope = openToManyScope(scope, relation);
    itemScope.qb.andWhere(this.onMember(member, itemScope, false, predicate, steps));
    return `${negated ? 'NOT ' : ''}EXISTS ${itemScope.qb.getQuery()}`;
  }

  /** Names never collide with parameters the caller already bound on the builder. */
  private parameter(bind: LiteralBinding): string {
    let name: string;
    do {
      name = `filter_${this.nextParameter++}`;
    } while (this.takenParameterNames.has(name));
    this.parameters[name] = bind(this.literals);
    this.bindings.push([name, bind]);
    return `:${name}`;
  }
}

/** Checks a literal against the field's type and converts it to the value bound as a parameter. */
function literalValue(target: FilterTarget, literal: LiteralNode): unknown {
  const { field, label } = target;
  const mismatch = (expectation: string) => filterErrorAt(literal.offset, `${label} is ${expectation}`);
  switch (field.type) {
    case 'string':
      if (literal.type !== 'string') throw mismatch('a text field; compare it with a quoted string, e.g. "abc"');
      return literal.value;
    case 'number':
      if (literal.type !== 'number') throw mismatch('a whole-number field; compare it with a number, e.g. 42');
      if (!Number.isInteger(literal.value) || literal.value < INT32_MIN || literal.value > INT32_MAX) {
        throw mismatch(`a whole-number field from ${INT32_MIN} to ${INT32_MAX}, so ${literal.text} cannot match it`);
      }
      return literal.value;
    case 'decimal':
      if (literal.type !== 'number') throw mismatch('a number field; compare it with a number, e.g. 9.99');
      return literal.text;
    case 'boolean':
      if (literal.type !== 'boolean') throw mismatch('a true/false field; compare it with true or false');
      return literal.value;
    case 'date': {
      if (literal.type !== 'string')
        throw mismatch(`a date field; compare it with a quoted date, e.g. ${DATE_EXAMPLE}`);
      const instant = parseInstant(literal.value);
      if (!instant) {
        const problem = `${JSON.stringify(literal.value)} is not an ISO-8601 date; write e.g. ${DATE_EXAMPLE}`;
        throw filterErrorAt(literal.offset, problem);
      }
      return instant.toISOString();
    }
    case 'uuid':
      if (literal.type !== 'string' || !isUuid(literal.value)) {
        throw mismatch('an id field; compare it with a quoted UUID, e.g. "3f2504e0-4f89-41d3-9a0c-0305e82c3301"');
      }
      return literal.value.toLowerCase();
    case 'enum':
      return enumValue(target, literal);
  }
}

function enumValue(target: FilterTarget, literal: LiteralNode): number {
  const entries = Object.entries(target.field.enumValues ?? {});
  const match =
    literal.type === 'number'
      ? entries.find(([, value]) => value === literal.value)
      : literal.type === 'string'
        ? entries.find(([name]) => name.toLowerCase() === literal.value.toLowerCase())
        : undefined;
  if (!match) {
    const allowed = entries.map(([name, value]) => `${name} (${value})`).join(', ');
    throw filterErrorAt(literal.offset, `${target.label} must be one of ${allowed}, given by name or number`);
  }
  return match[1];
}

/** The ILIKE pattern of a string method, its argument's own % _ and \\ escaped. */
function likePattern(method: StringMethod, argument: string): string {
  const escaped = argument.replace(/[\\%_]/g, (character) => `\\${character}`);
  return method === 'startsWith' ? `${escaped}%` : method === 'endsWith' ? `%${escaped}` : `%${escaped}%`;
}

function isOrdered(field: QueryField): boolean {
  return field.type !== 'boolean' && field.type !== 'uuid';
}

function unknownField(entity: QueryEntity, label: string, walked: MemberSegment[], offset: number) {
  const prefix = walked.map((step) => `${step.name}.`).join('');
  const fields = Object.entries(entity.fields)
    .filter(([, field]) => field.filterable !== false)
    .map(([name]) => `${prefix}${name}`);
  const relations = Object.keys(entity.relations ?? {}).map((name) => `${prefix}${name}.<field>`);
  const allowed = [...fields, ...relations].sort().join(', ');
  return invalidFilter(`Unknown field "${label}" in filter at column ${offset + 1}; allowed: ${allowed}`);
}

/**
 * ISO-8601 date or date-time. A value without an offset is taken as UTC, the zone the API speaks;
 * impossible dates such as 2024-02-30 are rejected rather than rolled over.
 */
function parseInstant(text: string): Date | undefined {
  const match = ISO_INSTANT_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const [
    ,
    year,
    month,
    day,
    hour = '0',
    minute = '0',
    second = '0',
    fraction = '',
    ,
    sign,
    offsetHours,
    offsetMinutes,
  ] = match;
  const fields = [year, month, day, hour, minute, second].map(Number);
  const milliseconds = Number(fraction.padEnd(3, '0').slice(0, 3));
  const local = Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5], milliseconds);
  const check = new Date(local);
  if (
    check.getUTCFullYear() !== fields[0] ||
    check.getUTCMonth() !== fields[1] - 1 ||
    check.getUTCDate() !== fields[2] ||
    check.getUTCHours() !== fields[3] ||
    check.getUTCMinutes() !== fields[4] ||
    check.getUTCSeconds() !== fields[5]
  ) {
    return undefined;
  }
  const offsetMs = sign ? (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000 : 0;
  return new Date(local - offsetMs);
}
