import { applyDecorators, Injectable, type PipeTransform } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { ApiException, ErrorCode } from '../errors';
import { FILTER_LIMITS, invalidFilter } from './filter-parser';

/** The list-endpoint options of DESIGN.md §4, validated and with defaults applied. */
export interface QueryOptions {
  filter?: string;
  sort?: string;
  select?: string;
  include?: string;
  take: number;
  skip: number;
  countOnly?: boolean;
  /** false skips the count: the total member of the answer is null. Undefined or true counts exactly. */
  withTotal?: boolean;
  /** A previous page's `nextCursor`: the page continues the same filter and sort after that page's last row. */
  cursor?: string;
}

export type QueryOptionName = keyof QueryOptions;

export const QUERY_OPTION_LIMITS = {
  defaultTake: 100,
  maxTake: 1000,
  /** Keeps OFFSET within a 32-bit integer. */
  maxSkip: 2147483647,
  /** For sort, select and include; filter has its own limit. */
  maxListLength: 1000,
  /** Cursors this server issues stay far below; anything longer is not one of them. */
  maxCursorLength: 2000,
} as const;

const OPTION_NAMES: QueryOptionName[] = [
  'filter',
  'sort',
  'select',
  'include',
  'take',
  'skip',
  'countOnly',
  'withTotal',
  'cursor',
];
const WHOLE_NUMBER = /^\d+$/;

function invalidOption(message: string): ApiException {
  return ApiException.badRequest(message, ErrorCode.InvalidQueryOption);
}

export function malformedCursor(): ApiException {
  return ApiException.badRequest(
    'cursor is malformed; pass the nextCursor of the previous page unchanged, or leave cursor out to start again',
    ErrorCode.InvalidCursor,
  );
}

/**
 * Validates the list options in a request's query string: `@Query(QueryOptionsPipe) options: QueryOptions`.
 * Option names match case-insensitively, as the original ASP.NET service bound them. Other query
 * parameters (an endpoint's own, such as `roles`) are passed through untouched.
 */
@Injectable()
export class QueryOptionsPipe implements PipeTransform<unknown, QueryOptions> {
  transform(query: unknown): QueryOptions {
    const raw = query !== null && typeof query === 'object' ? (query as Record<string, unknown>) : {};
    const passedThrough: Record<string, unknown> = {};
    const given = new Map<QueryOptionName, unknown>();
    for (const [key, value] of Object.entries(raw)) {
      const option = OPTION_NAMES.find((name) => name.toLowerCase() === key.toLowerCase());
      if (!option) {
        passedThrough[key] = value;
        continue;
      }
      if (given.has(option) || Array.isArray(value)) throw invalidOption(`${option} may be given only once`);
      given.set(option, value);
    }
    const text = (name: QueryOptionName) => optionalText(name, given.get(name));
    const cursor = text('cursor');
    if (cursor !== undefined && !isAbsent(given.get('skip'))) {
      throw ApiException.badRequest(
        'cursor and skip cannot be combined: the cursor already says where the page starts; leave out skip',
        ErrorCode.CursorWithSkip,
      );
    }
    const countOnly = optionalBoolean('countOnly', given.get('countOnly'));
    const withTotal = optionalBoolean('withTotal', given.get('withTotal'));
    if (countOnly && withTotal === false) {
      throw invalidOption('countOnly=true asks only for the count, which withTotal=false leaves out; drop one of them');
    }
    return {
      ...passedThrough,
      filter: text('filter'),
      sort: text('sort'),
      select: text('select'),
      include: text('include'),
      take: wholeNumber('take', given.get('take'), QUERY_OPTION_LIMITS.defaultTake, QUERY_OPTION_LIMITS.maxTake),
      skip: wholeNumber('skip', given.get('skip'), 0, QUERY_OPTION_LIMITS.maxSkip),
      countOnly,
      withTotal,
      cursor,
    };
  }
}

/** An empty parameter (`?filter=`) counts as not given. */
function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function optionalText(name: QueryOptionName, value: unknown): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string') throw invalidOption(`${name} must be text`);
  if (name === 'filter') {
    if (value.length > FILTER_LIMITS.maxLength) {
      throw invalidFilter(`filter is too long (max ${FILTER_LIMITS.maxLength} characters)`);
    }
  } else if (name === 'cursor') {
    if (value.length > QUERY_OPTION_LIMITS.maxCursorLength) throw malformedCursor();
  } else if (value.length > QUERY_OPTION_LIMITS.maxListLength) {
    throw invalidOption(`${name} is too long (max ${QUERY_OPTION_LIMITS.maxListLength} characters)`);
  }
  return value;
}

function wholeNumber(name: QueryOptionName, value: unknown, fallback: number, max: number): number {
  if (isAbsent(value)) return fallback;
  const text = String(value).trim();
  if (!WHOLE_NUMBER.test(text)) throw invalidOption(`${name} must be a whole number from 0 to ${max}`);
  const number = Number(text);
  if (number > max) throw invalidOption(`${name} must be at most ${max}`);
  return number;
}

function optionalBoolean(name: QueryOptionName, value: unknown): boolean | undefined {
  if (isAbsent(value)) return undefined;
  const text = String(value).trim().toLowerCase();
  if (text !== 'true' && text !== 'false') throw invalidOption(`${name} must be true or false`);
  return text === 'true';
}

interface OptionDoc {
  type: typeof String | typeof Number | typeof Boolean;
  description: string;
}

const OPTION_DOCS: Record<QueryOptionName, OptionDoc> = {
  select: {
    type: String,
    description: 'Comma-separated fields to return in each item; the others are omitted. Example: `id,createdAt`.',
  },
  filter: {
    type: String,
    description:
      'Dynamic-LINQ-like condition, e.g. `Level == "Warning" and CreatedAt >= "2024-01-01"`. ' +
      'Operators: `== != < <= > >=`, `and`/`&&`, `or`/`||`, `not`/`!`, parentheses, ' +
      '`Field in (1, 2)`, `Field.Contains("x")`, `.StartsWith("x")`, `.EndsWith("x")` (case-insensitive). ' +
      `Field names are case-insensitive; max ${FILTER_LIMITS.maxLength} characters.`,
  },
  include: { type: String, description: 'Comma-separated related records to embed in each item.' },
  sort: {
    type: String,
    description: 'Comma-separated `Field [asc|desc]`, e.g. `createdAt desc, id`. Ties are always broken by id.',
  },
  take: {
    type: Number,
    description: `Items per page, 0 to ${QUERY_OPTION_LIMITS.maxTake}; default ${QUERY_OPTION_LIMITS.defaultTake}.`,
  },
  skip: { type: Number, description: 'Matching items to skip before the page starts; default 0.' },
  countOnly: { type: Boolean, description: 'When true, only the count of matching items is returned.' },
  withTotal: {
    type: Boolean,
    description:
      'Default true: the answer counts every matching item (its total member). false skips that count, which on ' +
      'large tables costs more than the page, and answers the total member as null.',
  },
  cursor: {
    type: String,
    description:
      "The previous answer's `nextCursor`: the page continues the same filter and sort right after that answer's " +
      'last item, in index time however deep. Send the same path, `filter` and `sort` (`take`, `select`, `include` ' +
      'may change); not with `skip`. Opaque and signed: an altered cursor answers 400 (code 120), one of another ' +
      'filter or sort 400 (code 121).',
  },
};

/** The options every list documents after its own: they concern paging and counting, never the reference's shapes. */
const PAGING_OPTIONS: QueryOptionName[] = ['withTotal', 'cursor'];

const DEFAULT_DOCUMENTED_OPTIONS: QueryOptionName[] = ['select', 'filter', 'include', 'sort', 'take', 'skip'];

/**
 * Documents the list options an endpoint accepts in OpenAPI. With no arguments: select, filter,
 * include, sort, take and skip; endpoints without includes or with countOnly list their own.
 */
export function ApiQueryOptions(...names: QueryOptionName[]): MethodDecorator & ClassDecorator {
  const documented = [...(names.length > 0 ? names : DEFAULT_DOCUMENTED_OPTIONS), ...PAGING_OPTIONS];
  return applyDecorators(...documented.map((name) => ApiQuery({ name, required: false, ...OPTION_DOCS[name] })));
}
