import { Role } from '../src/common/auth/access';
import { ErrorCode } from '../src/common/errors';
import { TestContext, bearer, createApiKey, createUser, startTestApp } from './support/app';
import { liftLicensingRateLimits } from './support/licensing';

/**
 * The error examples of the served OpenAPI document are what the server really answers: each is provoked the
 * way its summary says and the answer must be that body, byte for byte, with the documented status.
 */
type Example = { summary: string; value: Record<string, unknown> };
interface Operation {
  operationId: string;
  parameters?: Array<{ in: string; name: string; schema?: { type?: string } }>;
  requestBody?: unknown;
  responses: Record<string, { content?: { 'application/json'?: { examples?: Record<string, Example> } } }>;
}
interface DocumentedOperation {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  operation: Operation;
}

const UUID = '00000000-0000-0000-0000-000000000000';

describe('OpenAPI error examples against the server (e2e)', () => {
  let ctx: TestContext;
  let operations: DocumentedOperation[];
  let schemas: Record<string, { properties?: Record<string, { $ref?: string; allOf?: { $ref?: string }[] }> }>;

  beforeAll(async () => {
    ctx = await startTestApp();
    await liftLicensingRateLimits(ctx);
    const { body } = await ctx.http.get('/swagger-json').expect(200);
    schemas = body.components.schemas;
    operations = Object.entries(body.paths as Record<string, Record<string, Operation>>).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        method: method as DocumentedOperation['method'],
        path,
        operation,
      })),
    );
  });

  afterAll(() => ctx?.close());

  function example(entry: DocumentedOperation, status: number, name: string): Example | undefined {
    return entry.operation.responses[String(status)]?.content?.['application/json']?.examples?.[name];
  }

  /** The path with every id filled in: `values` where given, else integer ids with 4711 and UUIDs with the nil UUID. */
  function fill(entry: DocumentedOperation, values: Record<string, string> = {}): string {
    return entry.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const type = entry.operation.parameters?.find((p) => p.in === 'path' && p.name === name)?.schema?.type;
      return values[name] ?? (type === 'number' || type === 'integer' ? '4711' : UUID);
    });
  }

  /**
   * The smallest body of the shape the operation's request schema names: its wrapper member (`{"release": {}}`),
   * so that the body-shape check lets the request through to the parameter under test.
   */
  function wrapperBody(entry: DocumentedOperation): Record<string, object> | undefined {
    const ref = (
      entry.operation.requestBody as { content?: Record<string, { schema?: { $ref?: string } }> } | undefined
    )?.content?.['application/json']?.schema?.$ref;
    if (!ref) return undefined;
    const members = schemas[ref.split('/').pop()!]?.properties ?? {};
    const wrapper = Object.entries(members).find(([, member]) => member.$ref ?? member.allOf?.[0]?.$ref)?.[0];
    return wrapper ? { [wrapper]: {} } : {};
  }

  function send(entry: DocumentedOperation, path = fill(entry)) {
    return ctx.http[entry.method](path);
  }

  /** Runs `provoke` for every operation that documents example `name` under `status`; answers the mismatches. */
  async function mismatches(
    status: number,
    name: string,
    provoke: (entry: DocumentedOperation, documented: Example) => Promise<{ status: number; body: unknown }> | null,
  ): Promise<{ checked: number; wrong: string[] }> {
    const wrong: string[] = [];
    let checked = 0;
    for (const entry of operations) {
      const documented = example(entry, status, name);
      if (!documented) continue;
      const pending = provoke(entry, documented);
      if (!pending) continue;
      checked++;
      const response = await pending;
      const expected = { status, body: documented.value };
      const actual = { status: response.status, body: response.body };
      if (JSON.stringify(actual) !== JSON.stringify(expected))
        wrong.push(
          `${entry.method.toUpperCase()} ${entry.path}: documented ${JSON.stringify(expected)}, answered ${JSON.stringify(actual)}`,
        );
    }
    return { checked, wrong };
  }

  it('documents on every operation the 401 a call without credentials gets', async () => {
    const result = await mismatches(401, 'Unauthorized', (entry) => send(entry));
    expect(result.wrong).toEqual([]);
    expect(result.checked).toBeGreaterThanOrEqual(80);
  });

  it('documents the 403 of a role the area does not admit', async () => {
    const users = new Map<string, string>();
    const result = await mismatches(403, 'Forbidden', (entry, documented) => {
      const role = /^Your roles \((\w+)\)/.exec(String(documented.value.message))?.[1];
      if (!role) return null;
      return (async () => {
        if (!users.has(role)) users.set(role, (await createUser(ctx, [role as Role])).token);
        return send(entry).set(bearer(users.get(role)!));
      })();
    });
    expect(result.wrong).toEqual([]);
    // Routes open to every signed-in role (own account, own settings) have no role to refuse.
    expect(result.checked).toBeGreaterThanOrEqual(70);
  });

  it('documents the 403 of an API key without the permission the method needs', async () => {
    const keys = new Map<number, string>();
    const result = await mismatches(403, 'ForbiddenApiKeyPermission', (entry, documented) => {
      const bit = Number(/\(bit (\d+)\)/.exec(String(documented.value.message))?.[1]);
      return (async () => {
        if (!keys.has(bit)) keys.set(bit, (await createApiKey(ctx, 15 & ~bit)).key);
        return send(entry).set('x-api-key', keys.get(bit)!);
      })();
    });
    expect(result.wrong).toEqual([]);
    expect(result.checked).toBeGreaterThanOrEqual(80);
  });

  it('documents the 400 of a path id that is no whole number', async () => {
    const result = await mismatches(400, 'InvalidPathId', (entry, documented) => {
      const name = /^(\w+) must be a positive whole number/.exec(String(documented.value.message))?.[1];
      if (!name) return null;
      const request = send(entry, fill(entry, { [name]: 'abc' })).set(bearer(ctx.adminToken));
      const body = wrapperBody(entry);
      return body ? request.send(body) : request;
    });
    expect(result.wrong).toEqual([]);
    expect(result.checked).toBeGreaterThanOrEqual(30);
  });

  it('documents the 400 the validation answers for the body its example names', async () => {
    const result = await mismatches(400, 'ValidationFailed', (entry, documented) => {
      const body = /\(body (.*)\)$/.exec(documented.summary)?.[1];
      if (!body) return null;
      return send(entry).set(bearer(ctx.adminToken)).set('Content-Type', 'application/json').send(body);
    });
    expect(result.wrong).toEqual([]);
    expect(result.checked).toBeGreaterThanOrEqual(30);
  });

  it('documents the 400 of a body that is not JSON, and the 415 of one that is not sent as JSON', async () => {
    const malformed = await mismatches(400, 'MalformedJson', (entry) =>
      send(entry).set(bearer(ctx.adminToken)).set('Content-Type', 'application/json').send('{"a":'),
    );
    expect(malformed.wrong).toEqual([]);
    expect(malformed.checked).toBeGreaterThanOrEqual(40);
    const media = await mismatches(415, 'UnsupportedMediaType', (entry) =>
      send(entry).set(bearer(ctx.adminToken)).set('Content-Type', 'text/plain').send('a'),
    );
    expect(media.wrong).toEqual([]);
    expect(media.checked).toBe(malformed.checked);
  });

  it('documents the 413 of a body over the limit', async () => {
    const result = await mismatches(413, 'PayloadTooLarge', (entry) =>
      entry.operation.operationId === 'insertLicense'
        ? send(entry)
            .set(bearer(ctx.adminToken))
            .set('Content-Type', 'application/json')
            .send(JSON.stringify({ license: { notes: 'n'.repeat(11 * 1024 * 1024) } }))
        : null,
    );
    expect(result).toEqual({ checked: 1, wrong: [] });
  });

  it('documents the 404 of a path id that names no record', async () => {
    const result = await mismatches(404, 'NotFound', (entry) =>
      (entry.method === 'get' || entry.method === 'delete') && entry.path.includes('{') && !entry.operation.requestBody
        ? send(entry).set(bearer(ctx.adminToken))
        : null,
    );
    expect(result.wrong).toEqual([]);
    expect(result.checked).toBeGreaterThanOrEqual(25);
  });

  it('documents the 400 of list options and filters', async () => {
    const take = await mismatches(400, 'InvalidQueryOption', (entry) =>
      entry.method === 'get' && entry.operation.parameters?.some((p) => p.name === 'take')
        ? send(entry, `${fill(entry)}?take=abc`).set(bearer(ctx.adminToken))
        : null,
    );
    expect(take.wrong).toEqual([]);
    expect(take.checked).toBeGreaterThanOrEqual(25);
    // Scoped lists check their parent first (404); the others parse the filter.
    const filter = await mismatches(400, 'InvalidFilter', (entry) =>
      entry.method === 'get' && !entry.path.includes('{')
        ? send(entry, `${fill(entry)}?filter=${encodeURIComponent('Id ==')}`).set(bearer(ctx.adminToken))
        : null,
    );
    expect(filter.wrong).toEqual([]);
    expect(filter.checked).toBeGreaterThanOrEqual(15);
  });

  it('documents the messages routes declare for their own parameters and missing records', async () => {
    const provokers: Record<string, [number, string, (entry: DocumentedOperation) => ReturnType<typeof send>]> = {
      getSettings: [400, 'ValidationFailed', (entry) => send(entry, '/v1/settings?group=Foo')],
      getUsers: [400, 'InvalidReference', (entry) => send(entry, '/v1/users?roles=Foo')],
      getLog: [400, 'InvalidDateRange', (entry) => send(entry, '/v1/log?startDate=2026-02-01&endDate=2026-01-01')],
      deleteLog: [404, 'NotFound', (entry) => send(entry, '/v1/log?id=4711')],
      deleteLicenseTrace: [404, 'NotFound', (entry) => send(entry).send({ traceId: 4711 })],
      deleteLicenseToken: [404, 'TokenNotFound', (entry) => send(entry)],
    };
    // Every spec of a run shares one database, whose log passes id 4711 early: free the ids the documented
    // examples name first (a deleted id is never handed out again).
    await ctx.http.delete('/v1/log?id=4711').set(bearer(ctx.adminToken));
    await ctx.http.delete('/v1/license-traces').set(bearer(ctx.adminToken)).send({ traceId: 4711 });
    const wrong: string[] = [];
    for (const [operationId, [status, name, provoke]] of Object.entries(provokers)) {
      const entry = operations.find((candidate) => candidate.operation.operationId === operationId)!;
      const documented = example(entry, status, name);
      const response = await provoke(entry).set(bearer(ctx.adminToken));
      if (
        JSON.stringify({ status: response.status, body: response.body }) !==
        JSON.stringify({ status, body: documented?.value })
      )
        wrong.push(
          `${operationId}: documented ${JSON.stringify(documented?.value)}, answered ${response.status} ${JSON.stringify(response.body)}`,
        );
    }
    expect(wrong).toEqual([]);
  });

  it('documents what login and the client Licensing API answer for wrong credentials and unknown keys', async () => {
    const login = await mismatches(401, 'InvalidCredentials', (entry) =>
      send(entry).send({ userName: 'admin', password: 'not-the-password' }),
    );
    expect(login).toEqual({ checked: 1, wrong: [] });
    const unknownKey = await mismatches(404, 'LicenseKeyNotFound', (entry) =>
      entry.operation.operationId === 'validateLicense'
        ? send(entry).send({ userKey: 'AAAAA-BBBBB-CCCCC-DDDDD' })
        : null,
    );
    expect(unknownKey).toEqual({ checked: 1, wrong: [] });
    const unknownToken = await mismatches(404, 'TokenNotFound', (entry) =>
      entry.operation.operationId === 'sendHeartbeat' ? send(entry).send({ licenseToken: 'fltk_000000000000' }) : null,
    );
    expect(unknownToken).toEqual({ checked: 1, wrong: [] });
  });

  it('documents RateLimited with the Retry-After seconds on the client API', async () => {
    const validate = operations.find((entry) => entry.operation.operationId === 'validateLicense')!;
    const documented = example(validate, 429, 'RateLimited')!;
    expect(documented.value).toMatchObject({ success: false, code: ErrorCode.RateLimited });
    await liftLicensingRateLimits(ctx, 1);
    try {
      const answers = [];
      for (let attempt = 0; attempt < 3; attempt++)
        answers.push(await send(validate).send({ userKey: 'AAAAA-BBBBB-CCCCC-EEEEE' }));
      const limited = answers.find((answer) => answer.status === 429);
      expect(limited?.body).toEqual({
        ...documented.value,
        message: expect.stringMatching(/^Too many licensing requests: the limit is 1 per minute .*; retry in \d+ s$/),
        retryAfterSeconds: expect.any(Number),
      });
      expect(Object.keys(limited!.body).sort()).toEqual(Object.keys(documented.value).sort());
    } finally {
      await liftLicensingRateLimits(ctx);
    }
  });
});
