import type { FastifyInstance } from 'fastify';
import { isUtf8 } from 'node:buffer';
import { ApiException } from '../errors/api.exception';
import { ErrorCode } from '../errors/error-code';

/** Deepest nesting of objects and arrays a request body may have. */
export const MAX_JSON_DEPTH = 64;
/** Most items one array of a request body may hold (the largest legitimate list, settings or report properties, is far below). */
export const MAX_JSON_ARRAY_ITEMS = 10_000;

/**
 * C0 control characters other than tab, LF and CR, and UTF-16 surrogates that are not part of a pair.
 * PostgreSQL refuses U+0000 in text outright; the others are never part of a name, key or note and
 * only serve to hide text from whoever reads it later.
 */
const FORBIDDEN_CHARACTER =
  // Matching control characters is this expression's purpose.
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

/**
 * Reads a JSON request body, refusing what the rest of the application must never see: bytes that
 * are not UTF-8, nesting deeper than MAX_JSON_DEPTH, arrays longer than MAX_JSON_ARRAY_ITEMS, and
 * strings (values or member names) with control characters or lone surrogates. The structure is
 * checked by one flat scan of the text before JSON.parse, so a 100,000-deep array never reaches
 * anything recursive (class-transformer, class-validator, the services). Answers undefined for a
 * blank body.
 */
export function parseJsonBody(body: Buffer): unknown {
  if (!isUtf8(body)) {
    const text = body.toString('utf8');
    throw ApiException.badRequest(
      `${fieldWith(text, (value) => value.includes('\uFFFD')) ?? 'The request body'} is not valid UTF-8`,
      ErrorCode.InvalidCharacters,
    );
  }
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  if (mayBeTooComplex(text)) checkStructure(text);
  const value: unknown = JSON.parse(text);
  // Control characters and lone surrogates can only arrive as \u escapes: JSON itself refuses them raw,
  // and valid UTF-8 cannot encode a surrogate.
  if (text.includes('\\u')) checkStrings(value, '');
  return value;
}

/**
 * Whether the full scan is needed: a text with at most 64 opening brackets cannot nest deeper, and one
 * shorter than 20,000 characters cannot hold an array of 10,000 items. The client API's bodies (one
 * object, no array) are answered by two native indexOf calls.
 */
function mayBeTooComplex(text: string): boolean {
  if (text.length > 2 * MAX_JSON_ARRAY_ITEMS) return true;
  let openings = 0;
  for (const bracket of ['{', '['])
    for (let i = text.indexOf(bracket); i !== -1; i = text.indexOf(bracket, i + 1))
      if (++openings > MAX_JSON_DEPTH) return true;
  return false;
}

/** Depth and array lengths by counting brackets and commas outside strings. */
function checkStructure(text: string): void {
  const items: number[] = [];
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > MAX_JSON_DEPTH)
        throw ApiException.badRequest(
          `The request body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`,
          ErrorCode.BodyTooComplex,
        );
      items.push(c === OPEN_ARRAY ? 0 : -1);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
      items.pop();
    } else if (c === COMMA && items.length && items[items.length - 1] >= 0) {
      if (++items[items.length - 1] >= MAX_JSON_ARRAY_ITEMS)
        throw ApiException.badRequest(
          `An array in the request body has more than ${MAX_JSON_ARRAY_ITEMS} items`,
          ErrorCode.BodyTooComplex,
        );
    }
  }
}

function checkStrings(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (FORBIDDEN_CHARACTER.test(value)) throw forbiddenCharacter(path || 'The request body', value);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkStrings(value[i], `${path}[${i}]`);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, member] of Object.entries(value)) {
      const memberPath = path ? `${path}.${key}` : key;
      if (FORBIDDEN_CHARACTER.test(key)) throw forbiddenCharacter(`The member name ${JSON.stringify(key)}`, key);
      checkStrings(member, memberPath);
    }
  }
}

/** The path of the first string in a parsed body that `test` picks, if the body parses at all. */
function fieldWith(text: string, test: (value: string) => boolean): string | undefined {
  try {
    const found: string[] = [];
    const visit = (value: unknown, path: string): void => {
      if (found.length) return;
      if (typeof value === 'string') {
        if (test(value)) found.push(path);
      } else if (value !== null && typeof value === 'object')
        for (const [key, member] of Object.entries(value))
          visit(member, Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key);
    };
    if (mayBeTooComplex(text)) checkStructure(text);
    visit(JSON.parse(text), '');
    return found[0] || undefined;
  } catch {
    return undefined;
  }
}

/** Query-string and path parameters: the same characters are refused there, naming the parameter. */
export function checkParameters(parameters: unknown, kind: 'query parameter' | 'path parameter'): void {
  if (parameters === null || typeof parameters !== 'object') return;
  for (const [name, value] of Object.entries(parameters)) {
    const values = Array.isArray(value) ? value : [value];
    for (const item of values)
      if (typeof item === 'string' && FORBIDDEN_CHARACTER.test(item + name))
        throw forbiddenCharacter(`The ${kind} ${JSON.stringify(name.replace(FORBIDDEN_CHARACTER, '?'))}`, item + name);
  }
}

function forbiddenCharacter(field: string, value: string): ApiException {
  const character = value.match(FORBIDDEN_CHARACTER)![0];
  const code = character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  const what = character >= '\uD800' ? `a lone surrogate (U+${code})` : `the control character U+${code}`;
  return ApiException.badRequest(
    `${field} contains ${what}; text may hold no control characters other than tab, CR and LF`,
    ErrorCode.InvalidCharacters,
  );
}

/**
 * Installs the gate on the Fastify instance: the only JSON body parser (the reference's clients send
 * application/json-patch+json too; all parse as plain JSON), and a check of query-string and path
 * parameters before any guard, pipe or handler reads them.
 */
export function registerInputGate(fastify: FastifyInstance, contentTypes: string[], bodyLimit: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(contentTypes, { parseAs: 'buffer', bodyLimit }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (error) {
      if (error instanceof ApiException) return done(error, undefined);
      const parseError = error as Error & { statusCode?: number; code?: string };
      parseError.statusCode = 400;
      parseError.code = 'FST_ERR_CTP_INVALID_JSON_BODY';
      done(parseError, undefined);
    }
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    try {
      checkParameters(request.params, 'path parameter');
      checkParameters(request.query, 'query parameter');
      done();
    } catch (error) {
      done(error as Error);
    }
  });
}
