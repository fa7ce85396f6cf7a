import { DataSource } from 'typeorm';
import { TestContext, bearer, startTestApp, unique } from './support/app';
import { createCustomer, createLicense, createProduct, createSignatureKey } from './support/licensing';

interface ListAnswer {
  status: number;
  body: Record<string, unknown> & { nextCursor?: string | null; code: number; message: string };
}

describe('List paging by cursor and without the count', () => {
  let ctx: TestContext;
  let admin: Record<string, string>;
  /** The SQL the application sent since the last reset, as TypeORM's logger sees it (list statements included). */
  let statements: string[];

  beforeAll(async () => {
    ctx = await startTestApp();
    admin = bearer(ctx.adminToken);
    const dataSource = ctx.app.get(DataSource);
    const logQuery = dataSource.logger.logQuery.bind(dataSource.logger);
    statements = [];
    dataSource.logger.logQuery = (query, parameters, runner) => {
      statements.push(query);
      return logQuery(query, parameters, runner);
    };
  }, 60_000);
  afterAll(() => ctx.close());

  const list = async (path: string, query: Record<string, string | number | boolean>): Promise<ListAnswer> => {
    const response = await ctx.http.get(path).query(query).set(admin);
    return { status: response.status, body: response.body as ListAnswer['body'] };
  };

  async function insertCustomers(code: string, count: number): Promise<number[]> {
    const ids: number[] = [];
    for (let index = 0; index < count; index++) ids.push(await createCustomer(ctx, { title: code, rating: index % 3 }));
    return ids;
  }

  /** Walks a list page by page with its nextCursor, calling `between` after each page; the ids in the order answered. */
  async function walk(
    path: string,
    query: Record<string, string | number>,
    items: string,
    between: () => Promise<unknown> = async () => undefined,
  ): Promise<number[]> {
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const answer = await list(path, cursor ? { ...query, cursor } : query);
      expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 200, code: 0 });
      seen.push(...(answer.body[items] as Array<{ id: number }>).map((item) => item.id));
      if (!answer.body.nextCursor) {
        expect(answer.body.nextCursor).toBeNull();
        return seen;
      }
      cursor = answer.body.nextCursor;
      await between();
    }
    throw new Error('the walk did not end');
  }

  it('returns every customer exactly once while others are inserted, in the order skip pages give', async () => {
    const code = unique('walk');
    const existing = await insertCustomers(code, 23);
    for (const sort of ['id', 'createdAt desc', 'rating, createdAt', 'rating desc']) {
      const filter = `Title == "${code}"`;
      const before = await list('/v1/customers', { filter, sort, take: 1000 });
      const ordered = (before.body.customers as Array<{ id: number }>).map((customer) => customer.id);
      const inserted: number[] = [];
      // Each page is followed by two inserts into the same list (ratings 0 and 2 land before and after the cursor).
      const seen = await walk('/v1/customers', { filter, sort, take: 5 }, 'customers', async () => {
        inserted.push(...(await insertCustomers(code, 2)));
      });
      expect(new Set(seen).size).toBe(seen.length);
      const old = new Set(ordered);
      expect(seen.filter((id) => old.has(id))).toEqual(ordered);
      expect(seen.every((id) => old.has(id) || inserted.includes(id))).toBe(true);
    }
    expect(existing).toHaveLength(23);
  }, 120_000);

  it('walks the licenses of a customer (read raw) newest first while licenses are added', async () => {
    const key = await createSignatureKey(ctx, 'Ed25519');
    const productId = await createProduct(ctx, key.id);
    const customerId = await createCustomer(ctx);
    const created: number[] = [];
    for (let index = 0; index < 12; index++) {
      created.push((await createLicense(ctx, { product: { id: String(productId) }, customerId })).licenseId);
    }
    const query = { filter: `CustomerId == ${customerId}`, sort: 'CreatedAt desc', take: 5 };
    const before = await list('/v1/licenses', { ...query, take: 1000 });
    const ordered = (before.body.licenses as Array<{ id: number }>).map((license) => license.id);
    expect([...ordered].sort((a, b) => a - b)).toEqual(created);
    const during: number[] = [];
    const seen = await walk('/v1/licenses', query, 'licenses', async () => {
      during.push((await createLicense(ctx, { product: { id: String(productId) }, customerId })).licenseId);
    });
    // Newest first: the licenses made during the walk sort before the cursor and are not answered.
    expect(seen).toEqual(ordered);
    expect(during).toHaveLength(2);
  }, 120_000);

  it('answers withTotal=false without running the count, and the exact count by default', async () => {
    const code = unique('total');
    await insertCustomers(code, 3);
    const filter = `Title == "${code}"`;
    statements.length = 0;
    const counted = await list('/v1/customers', { filter, take: 2 });
    expect(counted.body).toMatchObject({ totalCustomersCount: 3, nextCursor: expect.any(String) });
    expect(statements.filter((sql) => /COUNT\(/i.test(sql))).toHaveLength(1);
    statements.length = 0;
    const uncounted = await list('/v1/customers', { filter, take: 2, withTotal: false });
    expect(uncounted.status).toBe(200);
    expect(uncounted.body.totalCustomersCount).toBeNull();
    expect('totalCustomersCount' in uncounted.body).toBe(true);
    expect(uncounted.body.customers).toEqual(counted.body.customers);
    expect(statements.filter((sql) => /COUNT\(/i.test(sql))).toEqual([]);
    expect(statements.some((sql) => /FROM "customers"/.test(sql))).toBe(true);
    const last = await list('/v1/customers', { filter, withTotal: 'false', cursor: uncounted.body.nextCursor! });
    expect(last.body).toMatchObject({ totalCustomersCount: null, nextCursor: null });
    expect(last.body.customers).toHaveLength(1);
    expect((await list('/v1/customers', { countOnly: true, withTotal: false })).body.code).toBe(103);
  });

  it('refuses altered, malformed and foreign cursors, and a cursor with skip, with stable codes', async () => {
    const code = unique('refuse');
    await insertCustomers(code, 3);
    const filter = `Title == "${code}"`;
    const first = await list('/v1/customers', { filter, sort: 'rating', take: 1 });
    const cursor = first.body.nextCursor!;
    expect(cursor).toEqual(expect.any(String));
    const [payload, signature] = cursor.split('.');
    const content = JSON.parse(Buffer.from(payload, 'base64url').toString()) as unknown[];
    const forged = Buffer.from(JSON.stringify([content[0], content[1], [0, 0]])).toString('base64url');
    const refusals: Array<[Record<string, string | number>, number, string, RegExp]> = [
      [{ filter, sort: 'rating', cursor: `${forged}.${signature}` }, 400, '/v1/customers', /altered/],
      [{ filter, sort: 'rating', cursor: 'not a cursor' }, 400, '/v1/customers', /malformed/],
      [{ filter, sort: 'rating', cursor: `${payload}.` }, 400, '/v1/customers', /malformed/],
      [{ filter: `Title == "${code}x"`, sort: 'rating', cursor }, 400, '/v1/customers', /another list, filter or sort/],
      [{ filter, sort: 'rating desc', cursor }, 400, '/v1/customers', /another list, filter or sort/],
      [{ cursor }, 400, '/v1/products', /another list, filter or sort/],
      [{ filter, sort: 'rating', cursor, skip: 1 }, 400, '/v1/customers', /leave out skip/],
    ];
    const codes = [120, 120, 120, 121, 121, 121, 122];
    for (const [index, [query, status, path, message]] of refusals.entries()) {
      const answer = await list(path, query);
      expect({ index, status: answer.status, code: answer.body.code, success: answer.body.success }).toEqual({
        index,
        status,
        code: codes[index],
        success: false,
      });
      expect(answer.body.message).toMatch(message);
    }
    const contacts = await list('/v1/contacts', { sort: 'customer.lastName', cursor });
    expect({ status: contacts.status, code: contacts.body.code }).toEqual({ status: 400, code: 123 });
    // The same cursor still continues its own list, with another page size.
    const next = await list('/v1/customers', { filter, sort: 'rating', take: 5, cursor });
    expect(next.body).toMatchObject({ totalCustomersCount: 3, nextCursor: null });
    expect(next.body.customers).toHaveLength(2);
  });

  it('keeps skip and take as the reference has them, and offers a cursor from a skip page', async () => {
    const code = unique('skip');
    await insertCustomers(code, 5);
    const filter = `Title == "${code}"`;
    const all = (await list('/v1/customers', { filter })).body.customers as Array<{ id: number }>;
    const skipped = await list('/v1/customers', { filter, skip: 1, take: 2 });
    expect((skipped.body.customers as Array<{ id: number }>).map((item) => item.id)).toEqual(
      all.slice(1, 3).map((item) => item.id),
    );
    expect(skipped.body.totalCustomersCount).toBe(5);
    const rest = await list('/v1/customers', { filter, cursor: skipped.body.nextCursor! });
    expect((rest.body.customers as Array<{ id: number }>).map((item) => item.id)).toEqual(
      all.slice(3).map((item) => item.id),
    );
  });
});
