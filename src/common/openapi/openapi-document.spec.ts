import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CATALOG } from '../errors/error-catalog';
import { ErrorCode } from '../errors/error-code';
import { ERROR_RESPONSE_SCHEMA } from './error-responses';
import { OPENAPI_TAGS } from './tags';

/** The committed document (CI's openapi:check keeps it equal to what the code generates). */
const document = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'openapi.json'), 'utf8'));

interface Operation {
  operationId: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Array<{ in: string; name: string; schema?: { type?: string } }>;
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string }; examples?: object }> }>;
}

const operations: Array<{ name: string; path: string; operation: Operation }> = Object.entries(
  document.paths as Record<string, Record<string, Operation>>,
).flatMap(([path, item]) =>
  Object.entries(item).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, path, operation })),
);
const managementApi = operations.filter(({ path }) => path.startsWith('/v1/'));

/** The statuses of `operation` among `wanted` that it does not document. */
function missing(operation: Operation, wanted: number[]): number[] {
  return wanted.filter((status) => !operation.responses[String(status)]);
}

describe('openapi.json', () => {
  it('has 93 operations to check', () => {
    expect(operations.length).toBeGreaterThanOrEqual(93);
  });

  it('lists on every /v1 operation the error statuses its access and inputs imply', () => {
    const gaps = managementApi.flatMap(({ name, operation }) => {
      const wanted = [503];
      if (operation.security?.length) wanted.push(401, 403);
      if (operation.requestBody) wanted.push(400, 413, 415);
      // Query parameters and integer path ids are checked by pipes; a user id that is no UUID is simply not found.
      const checked = operation.parameters?.filter(
        (parameter) => parameter.in === 'query' || ['integer', 'number'].includes(parameter.schema?.type ?? ''),
      );
      if (checked?.length) wanted.push(400);
      if (operation.parameters?.some((parameter) => parameter.in === 'path')) wanted.push(404);
      const absent = missing(operation, [...new Set(wanted)]);
      return absent.length ? [`${name} lacks ${absent.join(', ')}`] : [];
    });
    expect(gaps).toEqual([]);
  });

  it('documents 429 on the client Licensing API and 409 where seats run out', () => {
    const licensing = managementApi.filter(({ path }) => path.startsWith('/v1/license/'));
    expect(licensing.length).toBe(7);
    expect(licensing.flatMap(({ name, operation }) => (missing(operation, [429]).length ? [name] : []))).toEqual([]);
    const seats = operations.filter(({ operation }) =>
      ['activateLicense', 'requestFloatingLicense', 'insertLicenseToken'].includes(operation.operationId),
    );
    expect(seats.map(({ operation }) => Boolean(operation.responses['409']))).toEqual([true, true, true]);
  });

  it('answers every error with the one error schema and real error bodies as examples', () => {
    const problems: string[] = [];
    for (const { name, path, operation } of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400 || !path.startsWith('/v1/')) continue;
        const content = response.content?.['application/json'];
        if (content?.schema?.$ref !== `#/components/schemas/${ERROR_RESPONSE_SCHEMA}`)
          problems.push(`${name} ${status}: schema ${JSON.stringify(content?.schema)}`);
        const examples = Object.values((content?.examples ?? {}) as Record<string, { value: Record<string, unknown> }>);
        if (!examples.length) problems.push(`${name} ${status}: no example`);
        for (const { value } of examples) {
          const code = value.code as ErrorCode;
          const entry = ERROR_CATALOG[code];
          if (value.success !== false)
            problems.push(`${name} ${status}: example with success ${JSON.stringify(value.success)}`);
          if (!entry || code === ErrorCode.Success) problems.push(`${name} ${status}: example code ${code}`);
          else if (!entry.statuses.includes(Number(status)))
            problems.push(`${name} ${status}: code ${code} is answered with ${entry.statuses.join(', ')}`);
          if (typeof value.message !== 'string' || value.message.trim() === '')
            problems.push(`${name} ${status}: example without a message`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('has no success-looking example anywhere in the error schema', () => {
    const schema = document.components.schemas[ERROR_RESPONSE_SCHEMA];
    expect(schema.properties.success.enum).toEqual([false]);
    expect(schema.properties.code.enum).not.toContain(ErrorCode.Success);
    expect(JSON.stringify(schema)).not.toMatch(/"example":\s*(true|0)\b/);
  });

  it('marks public operations with security [] and names credentials on the others', () => {
    const unspecified = operations.filter(({ operation }) => !Array.isArray(operation.security));
    expect(unspecified.map(({ name }) => name)).toEqual([]);
    const publicOperations = operations.filter(({ operation }) => operation.security!.length === 0);
    expect(publicOperations.map(({ operation }) => operation.operationId).sort()).toEqual(
      [
        'activateLicense',
        'deactivateLicense',
        'healthLive',
        'getMetrics',
        'healthReady',
        'login',
        'releaseFloatingLicense',
        'requestFloatingLicense',
        'sendHeartbeat',
        'submitClientReport',
        'validateLicense',
      ].sort(),
    );
  });

  it('has servers and described tags in workflow order', () => {
    expect(document.servers.length).toBeGreaterThan(0);
    const names = (document.tags as Array<{ name: string; description: string }>).map((tag) => tag.name);
    expect(names).toEqual(OPENAPI_TAGS.map((tag) => tag.name).filter((name) => names.includes(name)));
    expect(names.slice(0, 1)).toEqual(['Auth']);
    const used = new Set(operations.flatMap(({ operation }) => operation.tags ?? []));
    expect([...used].filter((tag) => !names.includes(tag))).toEqual([]);
    for (const tag of document.tags) expect(tag.description.length).toBeGreaterThan(10);
  });
});
