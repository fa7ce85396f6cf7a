import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { TestContext, bearer, createUser, startTestApp, unique } from './support/app';
import {
  createCustomer,
  createLicense,
  createOrder,
  createProduct,
  createRelease,
  createSignatureKey,
  liftLicensingRateLimits,
} from './support/licensing';

/**
 * The input gate, judged over the whole API as an attacker would try it: every write operation that
 * openapi.json documents with a body gets malformed bodies, a NUL byte in each string field, absurd
 * numbers in each integer and decimal field and a 100,000-deep JSON document. Every answer must be a 4xx envelope
 * and no table may change.
 */

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
  required?: string[];
  multipleOf?: number;
};
type Operation = { method: 'post' | 'put' | 'delete'; path: string; operationId: string; schema: Schema };
type Body = unknown;
type Case = { name: string; body?: Body; raw?: string; path?: string };

const document = JSON.parse(readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8')) as {
  paths: Record<
    string,
    Record<string, { operationId: string; requestBody?: { content: Record<string, { schema: Schema }> } }>
  >;
  components: { schemas: Record<string, Schema> };
};

function resolve(schema: Schema): Schema {
  if (schema.$ref) return resolve(document.components.schemas[schema.$ref.replace('#/components/schemas/', '')]);
  if (schema.allOf?.length === 1) return resolve(schema.allOf[0]);
  return schema;
}

const WRITE_OPERATIONS: Operation[] = Object.entries(document.paths).flatMap(([path, operations]) =>
  Object.entries(operations)
    .filter(([method, operation]) => ['post', 'put', 'delete'].includes(method) && operation.requestBody)
    .map(([method, operation]) => ({
      method: method as Operation['method'],
      path,
      operationId: operation.operationId,
      schema: resolve(Object.values(operation.requestBody!.content)[0].schema),
    })),
);

/** Members that must be objects: a required member whose schema is an object (`release`, `license`, …). */
function wrapperOf(schema: Schema): string | undefined {
  return (schema.required ?? []).find((name) => resolve(schema.properties?.[name] ?? {}).properties !== undefined);
}

type Leaf = { path: (string | number)[]; type: 'string' | 'integer' | 'decimal' };

/** Paths of the string, integer and decimal members of a body, three levels deep (arrays as their first item). */
function leaves(schema: Schema, prefix: (string | number)[] = [], depth = 0, seen = new Set<Schema>()): Leaf[] {
  const found: Leaf[] = [];
  const resolved = resolve(schema);
  if (seen.has(resolved) || depth > 3) return found;
  if (resolved.type === 'string' || resolved.type === 'integer')
    return [{ path: prefix, type: resolved.type as 'string' | 'integer' }];
  // A number with a multipleOf is a numeric(p,s) column: money is numeric(18,4).
  if (resolved.type === 'number' && resolved.multipleOf) return [{ path: prefix, type: 'decimal' }];
  if (resolved.type === 'array' && resolved.items) return leaves(resolved.items, [...prefix, 0], depth + 1, seen);
  const inner = new Set(seen).add(resolved);
  for (const [name, property] of Object.entries(resolved.properties ?? {}))
    found.push(...leaves(property, [...prefix, name], depth + 1, inner));
  return found;
}

function withValue(body: Body, path: (string | number)[], value: unknown): Body {
  const copy = structuredClone(body ?? {}) as Record<string | number, unknown>;
  let node = copy;
  path.forEach((key, index) => {
    if (index === path.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (next === null || typeof next !== 'object') node[key] = typeof path[index + 1] === 'number' ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  });
  return copy;
}

const DEEP = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
const NUL = 'a\u0000b';

describe('hostile input on every write operation', () => {
  let ctx: TestContext;
  let db: DataSource;
  let tables: string[];
  let pathIds: Record<string, number>;
  let userKey: string;
  let loginName: string;
  const failures: string[] = [];
  let requests = 0;

  beforeAll(async () => {
    ctx = await startTestApp();
    db = ctx.app.get(DataSource);
    await liftLicensingRateLimits(ctx);
    const key = await createSignatureKey(ctx);
    const productId = await createProduct(ctx, key.id);
    const releaseId = await createRelease(ctx, productId);
    const customerId = await createCustomer(ctx);
    const orderId = await createOrder(ctx, customerId);
    const license = await createLicense(ctx, { signatureKeysId: key.id, licensingMode: 1, maxAllowedSites: 5 });
    const user = await createUser(ctx, ['Sales']);
    loginName = (await createUser(ctx, ['Sales'])).userName;
    userKey = license.userKey;
    pathIds = { productId, releaseId, orderId, licenseId: license.licenseId, userId: Number.NaN };
    (pathIds as Record<string, unknown>).userId = user.id;
    const rows = await db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
         AND table_name NOT IN ('log_entries', 'migrations') ORDER BY table_name`,
    );
    tables = rows.map((row: { table_name: string }) => row.table_name);
  }, 120_000);

  afterAll(async () => {
    process.stdout.write(`\n[hostile-input] ${requests} requests, ${failures.length} failures\n`);
    await ctx?.close();
  });

  /** One fingerprint of every table's content: a refused request changes none. */
  async function snapshot(): Promise<Record<string, string>> {
    const sql = tables
      .map(
        (table) =>
          `(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM "${table}" t) AS "${table}"`,
      )
      .join(', ');
    return (await db.query(`SELECT ${sql}`))[0];
  }

  function fillPath(path: string): string {
    return path.replace(/\{(\w+)\}/g, (_, name: string) => String(pathIds[name] ?? 1));
  }

  /** A body that would be accepted but for the one bad value injected into it. */
  function baseBody(operation: Operation): Body {
    if (operation.path.startsWith('/v1/license/'))
      return {
        userKey,
        machineId: unique('machine'),
        clientId: unique('client'),
        licenseToken: 'fltk_x',
        name: 'ExceptionReport',
      };
    if (operation.operationId === 'login') return { userName: loginName, password: 'not-the-password' };
    const wrapper = wrapperOf(operation.schema);
    return wrapper ? { [wrapper]: {} } : {};
  }

  function casesFor(operation: Operation): Case[] {
    const wrapper = wrapperOf(operation.schema);
    const cases: Case[] = [
      { name: 'body {}', body: {} },
      { name: 'body null', raw: 'null' },
      { name: 'empty body', raw: '' },
      { name: 'body ""', raw: '""' },
      { name: 'whitespace body', raw: '   ' },
      { name: 'body []', raw: '[]' },
      { name: 'body 42', raw: '42' },
      { name: '100,000-deep array', raw: DEEP },
      { name: '100,000-deep array in a member', raw: `{"${wrapper ?? 'userKey'}":${DEEP}}` },
    ];
    if (wrapper)
      cases.push(
        { name: `${wrapper} null`, body: { [wrapper]: null } },
        { name: `${wrapper} []`, body: { [wrapper]: [] } },
        { name: `${wrapper} "x"`, body: { [wrapper]: 'x' } },
      );
    const base = baseBody(operation);
    for (const leaf of leaves(operation.schema)) {
      const at = leaf.path.join('.');
      if (leaf.type === 'string') cases.push({ name: `NUL in ${at}`, body: withValue(base, leaf.path, NUL) });
      else if (leaf.type === 'decimal')
        for (const value of [1e308, 1e15, 0.00001, 12.34567])
          cases.push({ name: `${value} in ${at}`, body: withValue(base, leaf.path, value) });
      else
        for (const value of [1e308, 2 ** 31, -(2 ** 31) - 1, 1.5])
          cases.push({ name: `${value} in ${at}`, body: withValue(base, leaf.path, value) });
    }
    if (operation.path.includes('{'))
      cases.push({ name: 'NUL in a path parameter', path: operation.path.replace(/\{\w+\}/, '1%00'), body: base });
    return cases;
  }

  async function send(operation: Operation, testCase: Case) {
    const path = fillPath(testCase.path ?? operation.path);
    let call = ctx.http[operation.method](path).set(bearer(ctx.adminToken)).set('Content-Type', 'application/json');
    call = call.send(testCase.raw !== undefined ? testCase.raw : JSON.stringify(testCase.body));
    requests++;
    return call;
  }

  function judge(label: string, response: { status: number; body: Record<string, unknown> }): void {
    const envelope = response.body;
    const ok =
      response.status >= 400 &&
      response.status < 500 &&
      envelope?.success === false &&
      typeof envelope.code === 'number' &&
      typeof envelope.message === 'string' &&
      envelope.message.length > 0;
    if (!ok) failures.push(`${label}: ${response.status} ${JSON.stringify(envelope).slice(0, 200)}`);
  }

  it.each(WRITE_OPERATIONS.map((operation) => [`${operation.method.toUpperCase()} ${operation.path}`, operation]))(
    '%s answers every hostile body with a 4xx envelope and writes nothing',
    async (label, operation) => {
      const before = await snapshot();
      const mine: string[] = [];
      const cases = casesFor(operation as Operation);
      for (let i = 0; i < cases.length; i += 8) {
        const batch = cases.slice(i, i + 8);
        const responses = await Promise.all(batch.map((testCase) => send(operation as Operation, testCase)));
        responses.forEach((response, index) => {
          const start = failures.length;
          judge(`${label} ${batch[index].name}`, response);
          mine.push(...failures.slice(start));
        });
      }
      const after = await snapshot();
      const changed = Object.keys(before).filter((table) => before[table] !== after[table]);
      if (changed.length) failures.push(`${label}: changed ${changed.join(', ')}`);
      expect({ answers: mine, changed }).toEqual({ answers: [], changed: [] });
    },
    60_000,
  );

  it('refuses a NUL byte in a query string or path parameter of a read', async () => {
    const reads = [
      '/v1/licenses?filter=LicenseeName%20%3D%3D%20%22a%00b%22',
      '/v1/products?sort=name%00',
      '/v1/customers?select=id%00',
      '/v1/products/1%00/releases',
      '/v1/licenses?filter=LicenseeName%20%3D%3D%20%22%1B%22',
      '/v1/products/%07',
    ];
    const mine: string[] = [];
    for (const path of reads) {
      const start = failures.length;
      requests++;
      judge(`GET ${path}`, await ctx.http.get(path).set(bearer(ctx.adminToken)));
      mine.push(...failures.slice(start));
    }
    expect(mine).toEqual([]);
  });

  it('refuses control characters, lone surrogates and invalid UTF-8 on the client API and login', async () => {
    const bodies: [string, string][] = [];
    for (const route of [
      'activate',
      'validate',
      'deactivate',
      'floating/request',
      'heartbeat',
      'floating/release',
      'report',
    ])
      for (const text of ['a\u0000b', 'a\u0007b', 'a\u001bb', '\ud800', 'x\udc00y'])
        bodies.push([
          `/v1/license/${route}`,
          JSON.stringify({ userKey: text, machineId: text, clientId: text, licenseToken: text, name: text }),
        ]);
    for (const text of ['adm\u0000in', '\udfff', 'a\u0001'])
      bodies.push(['/v1/auth/login', JSON.stringify({ userName: text, password: 'x' })]);
    const before = await snapshot();
    const mine: string[] = [];
    for (const [path, body] of bodies) {
      const start = failures.length;
      requests++;
      judge(
        `POST ${path} ${body.slice(0, 40)}`,
        await ctx.http.post(path).set('Content-Type', 'application/json').send(body),
      );
      mine.push(...failures.slice(start));
    }
    // Bytes that are not UTF-8 (a lone continuation byte, an overlong NUL) inside a JSON string.
    for (const bytes of [Buffer.from([0x80]), Buffer.from([0xc0, 0x80]), Buffer.from([0xed, 0xa0, 0x80])]) {
      const body = Buffer.concat([Buffer.from(`{"userKey":"${userKey}","machineId":"`), bytes, Buffer.from('"}')]);
      for (const path of ['/v1/license/activate', '/v1/auth/login']) {
        const start = failures.length;
        requests++;
        judge(
          `POST ${path} invalid UTF-8 ${bytes.toString('hex')}`,
          await ctx.http.post(path).set('Content-Type', 'application/json').send(body),
        );
        mine.push(...failures.slice(start));
      }
    }
    const after = await snapshot();
    const changed = Object.keys(before).filter((table) => before[table] !== after[table]);
    expect({ answers: mine, changed }).toEqual({ answers: [], changed: [] });
  });
});
