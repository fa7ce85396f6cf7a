import type {
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger';
import type { ArgumentMetadata } from '@nestjs/common';
import { ClassTransformOptions, plainToInstance } from 'class-transformer';
import { ValidationError, ValidatorOptions, validateSync } from 'class-validator';
import { Permission, Role } from '../auth/access';
import { API_KEY_SCHEME, BEARER_SCHEME } from '../auth/decorators';
import { ERROR_CATALOG, errorCodeName, errorCodes } from '../errors/error-catalog';
import { ErrorCode } from '../errors/error-code';
import { createValidationPipe } from '../errors/validation';
import { IntIdPipe } from '../http/id-param.pipe';
import { ErrorCase } from './api-errors.decorator';
import { RouteAccess } from '../auth/route-access';
import { RouteFacts } from './routes';
import { OPENAPI_TAGS } from './tags';

export const ERROR_RESPONSE_SCHEMA = 'Management.ErrorResponse';
const ERROR_RESPONSE_REF = { $ref: `#/components/schemas/${ERROR_RESPONSE_SCHEMA}` };

/** The query options QueryOptionsPipe checks (InvalidQueryOption); `filter` has its own code. */
const QUERY_OPTIONS = new Set(['sort', 'select', 'include', 'take', 'skip', 'countOnly']);

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Not authenticated',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body too large',
  415: 'Not JSON',
  429: 'Too many requests',
  500: 'Unexpected error',
  502: 'Upstream server failed',
  503: 'Database unavailable',
};

/** How the messages of assertRowExists and the services name the record a path id or body wrapper names. */
const NOUNS: Record<string, string> = { apiKey: 'API key', template: 'License template' };

function nounOf(name: string): string {
  const stem = name.replace(/Id$/, '');
  if (NOUNS[stem]) return NOUNS[stem];
  const words = stem.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** One documented case of an operation: the code, when it happens, and a message the server answers. */
interface DocumentedCase extends ErrorCase {
  /** Declared on the route: its example wins over a derived one of the same code. */
  declared?: boolean;
  /** The request body that draws `example`, shown in the example's summary. */
  exampleBody?: unknown;
}

/** The options and the message of the global ValidationPipe, to document what it answers for a body. */
interface ValidationPipeInternals {
  validatorOptions: ValidatorOptions;
  transformOptions?: ClassTransformOptions;
  exceptionFactory: (errors: ValidationError[]) => Error;
}

/**
 * What the global ValidationPipe answers for the first of a few incomplete bodies it refuses: `{"license": {}}`
 * where the body wraps its record, else `{}`; one with an unknown member when every member is optional.
 */
function bodyValidationExample(bodyType: Function, wrapper: string | undefined): { body: unknown; message: string } {
  const pipe = createValidationPipe() as unknown as ValidationPipeInternals;
  const inner = [{}, { unknownMember: true }];
  for (const body of inner.map((value) => (wrapper ? { [wrapper]: value } : value))) {
    const instance = plainToInstance(bodyType as new () => object, body, pipe.transformOptions);
    const errors = validateSync(instance, pipe.validatorOptions);
    if (errors.length) return { body, message: pipe.exceptionFactory(errors).message };
  }
  throw new Error(`OpenAPI: the ValidationPipe accepts every sample body of ${bodyType.name}`);
}

/** The error schema every failure uses: the envelope with success false and the members some codes add. */
function errorResponseSchema(): SchemaObject {
  const codes = errorCodes().filter((code) => code !== ErrorCode.Success);
  return {
    type: 'object',
    description:
      'What every failure answers, with a real HTTP status: `success` false, a stable `code` (README "Error codes") and a message that says what to fix. Some codes add members: NoFreeSeat the seat counts, RateLimited the seconds to wait.',
    required: ['success', 'code', 'message'],
    properties: {
      success: { type: 'boolean', enum: [false], description: 'Always false for a failure' },
      code: {
        type: 'integer',
        format: 'int32',
        enum: codes,
        description: `Stable error code: ${codes.map((code) => `${code} ${errorCodeName(code)}`).join(', ')}`,
      },
      message: { type: 'string', description: 'What went wrong and what to fix; never a stack trace or SQL' },
      activeClientCount: {
        type: 'integer',
        format: 'int32',
        description: 'NoFreeSeat (client API): seats in use',
      },
      maxClientCount: { type: 'integer', format: 'int32', description: 'NoFreeSeat (client API): seats allowed' },
      activeTokens: {
        type: 'integer',
        format: 'int32',
        description: 'NoFreeSeat (POST /v1/licenses/{licenseId}/tokens): live tokens',
      },
      maxAllowedSites: {
        type: 'integer',
        format: 'int32',
        description: 'NoFreeSeat (POST /v1/licenses/{licenseId}/tokens): tokens allowed',
      },
      retryAfterSeconds: {
        type: 'integer',
        format: 'int32',
        description: 'RateLimited: seconds to wait, as the Retry-After header says',
      },
    },
  };
}

function isReference(value: unknown): value is ReferenceObject {
  return !!value && typeof value === 'object' && '$ref' in value;
}

function resolveSchema(document: OpenAPIObject, schema: SchemaObject | ReferenceObject | undefined) {
  let current = schema;
  for (let depth = 0; isReference(current) && depth < 10; depth++) {
    const name = current.$ref.replace('#/components/schemas/', '');
    current = document.components?.schemas?.[name];
  }
  return current as SchemaObject | undefined;
}

/** The wrapper member of a request body (`license` of {"license": {…}}) with its resolved schema. */
function bodyWrappers(document: OpenAPIObject, operation: OperationObject): Array<[string, SchemaObject]> {
  const body = operation.requestBody;
  if (!body || isReference(body)) return [];
  const schema = resolveSchema(document, body.content?.['application/json']?.schema);
  return Object.entries(schema?.properties ?? {})
    .map(([name, member]) => [name, resolveSchema(document, member)] as [string, SchemaObject | undefined])
    .filter((entry): entry is [string, SchemaObject] => entry[1]?.type === 'object' || !!entry[1]?.properties);
}

/**
 * What a path id that is no number answers: the global ValidationPipe runs first and turns the text into a
 * number (NaN), which IntIdPipe then refuses.
 */
function intIdMessage(name: string): string {
  const pipe = createValidationPipe() as unknown as {
    transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown;
  };
  const metadata: ArgumentMetadata = { type: 'param', data: name, metatype: Number };
  try {
    new IntIdPipe().transform(pipe.transformPrimitive('abc', metadata) as string, metadata);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`IntIdPipe accepted "abc" for ${name}`);
}

/** The error cases that follow from an operation's access, inputs and guards, then those its route declares. */
function casesOf(document: OpenAPIObject, route: RouteFacts, operation: OperationObject): DocumentedCase[] {
  const cases: DocumentedCase[] = [];
  const parameters = (operation.parameters ?? []).filter((p): p is ParameterObject => !isReference(p));
  const pathParameters = parameters.filter((p) => p.in === 'path');
  const integerPathParameters = pathParameters.filter((p) => {
    const type = (p.schema as SchemaObject | undefined)?.type;
    return type === 'number' || type === 'integer';
  });
  const query = parameters.filter((p) => p.in === 'query');
  const hasBody = !!operation.requestBody;

  const wrappers = bodyWrappers(document, operation);
  if (hasBody) {
    const sample = route.bodyType ? bodyValidationExample(route.bodyType, wrappers[0]?.[0]) : undefined;
    cases.push(
      {
        code: ErrorCode.ValidationFailed,
        when: 'a body member is missing, of the wrong type, out of range or unknown',
        example: sample?.message,
        exampleBody: sample?.body,
      },
      { code: ErrorCode.MalformedJson },
    );
  }
  if (integerPathParameters.length)
    cases.push({
      code: ErrorCode.ValidationFailed,
      when: `${integerPathParameters.map((p) => p.name).join(' or ')} is not a positive whole number`,
      example: intIdMessage(integerPathParameters[0].name),
      exampleName: 'InvalidPathId',
    });
  if (query.some((p) => p.name === 'filter')) cases.push({ code: ErrorCode.InvalidFilter });
  if (query.some((p) => QUERY_OPTIONS.has(p.name))) cases.push({ code: ErrorCode.InvalidQueryOption });

  const pathNames = new Set(pathParameters.map((p) => p.name));
  const references = wrappers.flatMap(([wrapper, schema]) =>
    Object.entries(schema.properties ?? {})
      .filter(([name, member]) => {
        const type = (member as SchemaObject).type;
        return /.Id$/.test(name) && !pathNames.has(name) && (type === 'integer' || type === 'number');
      })
      .map(([name]) => `${wrapper}.${name}`),
  );
  if (references.length)
    cases.push({
      code: ErrorCode.InvalidReference,
      when: `${references.join(', ')} names no record of its kind`,
    });

  if (!route.access.isPublic) {
    cases.push(
      { code: ErrorCode.Unauthorized },
      { code: ErrorCode.ApiKeyRevoked },
      { code: ErrorCode.ApiKeyExpired },
      { code: ErrorCode.TokenInvalid },
      ...forbiddenCases(route.access),
    );
  }

  // A route that says how it answers a missing record (TokenNotFound, "Release 7 of product 3 …") replaces the
  // generic "<Noun> <id> does not exist" of its first path id.
  const declaresNotFound = route.errors.some((item) => ERROR_CATALOG[item.code].statuses.includes(404));
  if (pathParameters.length && !declaresNotFound) {
    const first = pathParameters[0];
    const id = integerPathParameters.includes(first) ? '4711' : '00000000-0000-0000-0000-000000000000';
    cases.push({
      code: ErrorCode.NotFound,
      when: `no record has the ${pathParameters.map((p) => p.name).join(' or ')} of the path`,
      example: `${nounOf(first.name)} ${id} does not exist`,
    });
  }
  const updated = route.method === 'put' ? wrappers.find(([, schema]) => schema.properties?.id) : undefined;
  if (updated)
    cases.push({
      code: ErrorCode.NotFound,
      when: `no ${nounOf(updated[0]).toLowerCase()} has ${updated[0]}.id`,
      example: pathParameters.length ? undefined : `${nounOf(updated[0])} 4711 does not exist`,
    });

  if (hasBody) cases.push({ code: ErrorCode.PayloadTooLarge }, { code: ErrorCode.UnsupportedMediaType });
  if (route.rateLimited) cases.push({ code: ErrorCode.RateLimited });
  cases.push(...route.errors.map((item) => ({ ...item, declared: true })));
  cases.push({ code: ErrorCode.DatabaseUnavailable });
  return cases;
}

/** The two refusals of the guard (auth.guard.ts): a role the area does not admit, an API key without the bit. */
function forbiddenCases(access: Extract<RouteAccess, { isPublic: false }>): DocumentedCase[] {
  const { area, operation, roles, permission } = access;
  const cases: DocumentedCase[] = [];
  const refused = Object.values(Role).find((role) => !roles.includes(role));
  if (refused)
    cases.push({
      code: ErrorCode.Forbidden,
      when: `the caller has none of the roles ${roles.join(', ')}`,
      example: `Your roles (${refused}) do not allow ${operation} in ${area}; it needs one of: ${roles.join(', ')}`,
    });
  cases.push({
    code: ErrorCode.Forbidden,
    when: `an API key lacks the ${Permission[permission]} permission (${permission})`,
    example: `This API key lacks the ${Permission[permission]} permission (bit ${permission}) that ${operation} in ${area} requires`,
    exampleName: 'ForbiddenApiKeyPermission',
  });
  return cases;
}

function exampleValue(item: DocumentedCase): Record<string, unknown> {
  const entry = ERROR_CATALOG[item.code];
  return { success: false, code: item.code, message: item.example ?? entry.example, ...(entry.details ?? {}) };
}

/** One response per status: the cases it covers in its description and a real error body for each as examples. */
function errorResponses(cases: DocumentedCase[]): Record<string, ResponseObject> {
  const byStatus = new Map<number, DocumentedCase[]>();
  for (const item of cases) {
    for (const status of ERROR_CATALOG[item.code].statuses) {
      const list = byStatus.get(status) ?? [];
      list.push(item);
      byStatus.set(status, list);
    }
  }
  const responses: Record<string, ResponseObject> = {};
  for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
    const list = byStatus.get(status)!;
    const lines = list.map((item) => {
      const name = errorCodeName(item.code);
      return `- ${item.code} ${name}: ${item.when ?? ERROR_CATALOG[item.code].meaning}`;
    });
    const examples: Record<string, { summary: string; value: Record<string, unknown> }> = {};
    const declaredFirst = [...list.filter((item) => item.declared), ...list.filter((item) => !item.declared)];
    for (const item of declaredFirst) {
      const name = item.exampleName ?? errorCodeName(item.code);
      if (examples[name]) continue;
      const input = item.exampleBody === undefined ? '' : ` (body ${JSON.stringify(item.exampleBody)})`;
      const variant = item.exampleName ? ` (${item.when})` : '';
      examples[name] = {
        summary: `${item.code} ${errorCodeName(item.code)}${variant}${input}`,
        value: exampleValue(item),
      };
    }
    responses[String(status)] = {
      description: `${STATUS_TITLES[status] ?? `HTTP ${status}`}:\n${lines.join('\n')}`,
      content: { 'application/json': { schema: ERROR_RESPONSE_REF, examples } },
    };
  }
  return responses;
}

function accessDescription(access: RouteAccess): string {
  if (access.isPublic) return 'Public: no credentials needed.';
  const { area, operation, roles, permission } = access;
  return `Roles: ${roles.join(', ')} (${operation} in ${area}). API keys need the ${Permission[permission]} permission (${permission}).`;
}

/**
 * Completes the document Nest's scanner wrote with what the routes' metadata says: every operation's security
 * (none for public routes), who may call it, and every error status it can answer with the one error schema
 * and real error bodies as examples; the tags in workflow order with descriptions; the servers.
 * Routes outside /v1 (health) answer their own shape and keep the responses their decorators give.
 */
export function completeOpenApiDocument(
  document: OpenAPIObject,
  routes: RouteFacts[],
  serverUrl: string,
): OpenAPIObject {
  document.servers = [{ url: serverUrl, description: 'This server' }];
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas[ERROR_RESPONSE_SCHEMA] = errorResponseSchema();

  for (const route of routes) {
    const operation: OperationObject | undefined = document.paths[route.path]?.[route.method as 'get'];
    if (!operation) throw new Error(`OpenAPI: no operation for ${route.method.toUpperCase()} ${route.path}`);
    operation.security = route.access.isPublic ? [] : [{ [BEARER_SCHEME]: [] }, { [API_KEY_SCHEME]: [] }];
    operation.description = [accessDescription(route.access), operation.description].filter(Boolean).join('\n\n');
    if (!route.path.startsWith('/v1/')) continue;
    const declared = Object.keys(operation.responses).filter((status) => Number(status) >= 400);
    const derived = errorResponses(casesOf(document, route, operation));
    const undocumented = declared.filter((status) => !derived[status]);
    if (undocumented.length)
      throw new Error(
        `OpenAPI: ${route.method.toUpperCase()} ${route.path} declares ${undocumented.join(', ')} without an error code: declare it with @ApiErrors(ErrorCode.…)`,
      );
    for (const status of declared) delete operation.responses[status];
    Object.assign(operation.responses, derived);
  }

  const used = new Set(
    Object.values(document.paths).flatMap((item) =>
      Object.values(item as Record<string, OperationObject>).flatMap((operation) => operation.tags ?? []),
    ),
  );
  const unknown = [...used].filter((tag) => !OPENAPI_TAGS.some((known) => known.name === tag));
  if (unknown.length) throw new Error(`OpenAPI: tags ${unknown.join(', ')} need an entry in OPENAPI_TAGS`);
  document.tags = OPENAPI_TAGS.filter((tag) => used.has(tag.name)).map((tag) => ({ ...tag }));
  return document;
}
