/**
 * Runs compiled filters against a real PostgreSQL to prove the SQL means what the unit specs
 * assume (parameter types, ANY with arrays, ILIKE escapes, EXISTS, LIMIT/OFFSET, counts).
 * Uses a throwaway database created and dropped by this spec; skipped when no server is reachable.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { findPage, type PageOptions } from './query-compiler';
import {
  Customer,
  CustomerStatus,
  customerQuery,
  fixtureDataSourceOptions,
  Order,
  orderQuery,
  Region,
  Tag,
} from './testing/query-fixtures';

const SERVER = { host: '127.0.0.1', port: 5432 };
const USER = 'postgres';

/** Jest cannot decide to skip asynchronously, so reachability is probed in a child process. */
function serverIsReachable(): boolean {
  const probe = `require('node:net').connect(${SERVER.port}, '${SERVER.host}')
    .on('connect', () => process.exit(0)).on('error', () => process.exit(1));`;
  return spawnSync(process.execPath, ['-e', probe], { timeout: 3000 }).status === 0;
}

const reachable = serverIsReachable();
if (!reachable) {
  console.warn(`query.integration.spec: no PostgreSQL at ${SERVER.host}:${SERVER.port}; skipping`);
}
const describeWithDatabase = reachable ? describe : describe.skip;

describeWithDatabase('query options against PostgreSQL', () => {
  const databaseName = `query_spec_${randomBytes(6).toString('hex')}`;
  let dataSource: DataSource;

  async function onServer(sql: string): Promise<void> {
    const client = new Client({ ...SERVER, user: USER, database: 'postgres' });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    await onServer(`CREATE DATABASE "${databaseName}"`);
    dataSource = new DataSource(
      fixtureDataSourceOptions({ ...SERVER, username: USER, database: databaseName, synchronize: true }),
    );
    await dataSource.initialize();
    await seed(dataSource);
  });

  afterAll(async () => {
    try {
      if (dataSource?.isInitialized) await dataSource.destroy();
    } finally {
      await onServer(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
    }
  });

  const page = (options: Partial<PageOptions>): PageOptions => ({ take: 100, skip: 0, ...options });

  async function customerPage(options: Partial<PageOptions>) {
    const result = await findPage(
      dataSource.getRepository(Customer).createQueryBuilder('c'),
      'c',
      customerQuery,
      page(options),
    );
    return { names: result.items.map((customer) => customer.companyName), total: result.total };
  }

  it('filters, counts before paging and pages a stable sort', async () => {
    expect(await customerPage({ filter: 'rating >= 3', sort: 'rating desc', take: 2 })).toEqual({
      names: ['Acme', 'Globex'],
      total: 3,
    });
    // Initech and Globex tie on rating 4: the id tiebreak keeps the order stable across pages.
    expect(await customerPage({ filter: 'rating >= 3', sort: 'rating desc', take: 2, skip: 2 })).toEqual({
      names: ['Initech'],
      total: 3,
    });
    expect(await customerPage({ filter: 'rating >= 3', countOnly: true })).toEqual({ names: [], total: 3 });
  });

  it('reads a page raw in the entity shape when asked, with the same rows and total', async () => {
    const options = page({ filter: 'rating >= 3', sort: 'rating desc', take: 2 });
    const entities = await findPage(
      dataSource.getRepository(Customer).createQueryBuilder('c'),
      'c',
      customerQuery,
      options,
    );
    const raw = await findPage(
      dataSource.getRepository(Customer).createQueryBuilder('c'),
      'c',
      customerQuery,
      options,
      { raw: true },
    );
    expect(raw.total).toBe(entities.total);
    expect(raw.items.map((row) => ({ ...row }))).toEqual(entities.items.map((customer) => ({ ...customer })));
    expect(raw.items[0].createdAt).toBeInstanceOf(Date);
  });

  it('reads timestamps as the ISO strings of the Dates an entity read gives, when asked', async () => {
    const options = page({ filter: 'rating >= 3', sort: 'rating desc', take: 3 });
    const entities = await findPage(
      dataSource.getRepository(Customer).createQueryBuilder('c'),
      'c',
      customerQuery,
      options,
    );
    const iso = await findPage(
      dataSource.getRepository(Customer).createQueryBuilder('c'),
      'c',
      customerQuery,
      options,
      { raw: true, isoTimestamps: true },
    );
    expect(iso.items.length).toBe(3);
    expect(iso.items.map((row) => row.createdAt)).toEqual(
      entities.items.map((customer) => customer.createdAt.toISOString()),
    );
    expect(typeof iso.items[0].createdAt).toBe('string');
  });

  it("builds the SQL of a list shape once and binds each request's values to it", async () => {
    const rawPage = (filter: string, take = 100) =>
      findPage(
        dataSource.getRepository(Customer).createQueryBuilder('c'),
        'c',
        customerQuery,
        page({ filter, sort: 'rating desc', take }),
        { raw: true },
      );
    const built = jest.spyOn(SelectQueryBuilder.prototype, 'getQuery');
    try {
      const first = await rawPage('rating >= 3');
      const generated = built.mock.calls.length;
      expect(generated).toBeGreaterThan(0);
      // Same shape, other values: no SQL generated, the rows of the new values.
      const second = await rawPage('rating >= 5');
      expect(built.mock.calls.length).toBe(generated);
      expect(first.total).toBe(3);
      expect(second.items.map((row) => row.companyName)).toEqual(['Acme']);
      expect(second.total).toBe(1);
      // Another shape (page size) is generated anew and does not reuse the first text.
      const third = await rawPage('rating >= 3', 1);
      expect(built.mock.calls.length).toBeGreaterThan(generated);
      expect({ names: third.items.map((row) => row.companyName), total: third.total }).toEqual({
        names: ['Acme'],
        total: 3,
      });
    } finally {
      built.mockRestore();
    }
  });

  it('answers a request of a known shape from its plan: no query built, its own values checked, the same cursors', async () => {
    const entityPage = (options: Partial<PageOptions>) =>
      findPage(
        dataSource.getRepository(Customer).createQueryBuilder('c'),
        'c',
        customerQuery,
        page({ sort: 'createdAt desc', take: 1, ...options }),
      );
    const ids = (result: { items: Customer[] }) => result.items.map((row) => row.id);
    const everyId = async (filter: string) => ids(await entityPage({ filter, take: 1000 }));
    const first = await entityPage({ filter: 'rating >= 1 and status != "Closed"' });
    const built = jest.spyOn(SelectQueryBuilder.prototype, 'clone');
    try {
      const again = await entityPage({ filter: 'rating >= 1 and status != "Closed"' });
      const other = await entityPage({ filter: 'rating >= 4 and status != "Suspended"' });
      expect(built).not.toHaveBeenCalled();
      expect({ ids: ids(again), total: again.total, cursor: again.nextCursor }).toEqual({
        ids: ids(first),
        total: first.total,
        cursor: first.nextCursor,
      });
      const expected = await everyId('rating >= 4 and status != "Suspended"');
      expect(expected.length).toBeGreaterThan(1);
      expect({ ids: ids(other), total: other.total }).toEqual({ ids: expected.slice(0, 1), total: expected.length });
      // The planned page's cursor is the one a built page gives: the next page continues from it.
      const next = await entityPage({ filter: 'rating >= 4 and status != "Suspended"', cursor: other.nextCursor! });
      expect(ids(next)).toEqual(expected.slice(1, 2));
      const wrongStatus = entityPage({ filter: 'rating >= 4 and status != "Sleeping"' });
      await expect(wrongStatus).rejects.toMatchObject({
        message: expect.stringMatching(/at column 27: status must be one of Active/),
      });
      const outOfRange = entityPage({ filter: 'rating >= 99999999999 and status != "Closed"' });
      await expect(outOfRange).rejects.toMatchObject({
        message: expect.stringMatching(/from -2147483648 to 2147483647/),
      });
    } finally {
      built.mockRestore();
    }
  });

  it('binds a parameter used twice once, and leaves spread lists to TypeORM', async () => {
    const twice = () =>
      dataSource
        .getRepository(Customer)
        .createQueryBuilder('c')
        .where('(c.rating > :least OR c.rating IS NULL) AND coalesce(c.rating, :least + 1) > :least', { least: 3 });
    const expected = await twice().getMany();
    const result = await findPage(twice(), 'c', customerQuery, page({}), { raw: true });
    expect(expected.length).toBeGreaterThan(1);
    expect({ total: result.total, ids: result.items.map((row) => row.id) }).toEqual({
      total: expected.length,
      ids: expected.map((customer) => customer.id).sort((a, b) => a - b),
    });
    const ids = (await dataSource.getRepository(Customer).find({ order: { id: 'ASC' }, take: 2 })).map(
      (customer) => customer.id,
    );
    for (const list of [ids, ids.slice(0, 1)]) {
      const spread = dataSource
        .getRepository(Customer)
        .createQueryBuilder('c')
        .where('c.id IN (:...ids)', { ids: list });
      const result = await findPage(spread, 'c', customerQuery, page({}), { raw: true });
      expect({ total: result.total, ids: result.items.map((row) => row.id) }).toEqual({
        total: list.length,
        ids: list,
      });
    }
  });

  it('keeps rows whose value is null for != and negations, as the original service does', async () => {
    expect(await customerPage({ filter: 'company != "Acme"' })).toEqual({
      names: ['Globex', 'Initech', null, '50% Off', '500 Off'],
      total: 5,
    });
    expect((await customerPage({ filter: 'not (rating > 3)' })).names).toEqual([null, '50% Off', '500 Off']);
  });

  it('matches text case-insensitively and treats % and _ in the argument literally', async () => {
    expect((await customerPage({ filter: 'company.Contains("50%")' })).names).toEqual(['50% Off']);
    expect((await customerPage({ filter: 'company.startswith("ACM") or company.EndsWith("TECH")' })).names).toEqual([
      'Acme',
      'Initech',
    ]);
  });

  it('binds in-lists, enum names, UUIDs and dates with their column types', async () => {
    expect((await customerPage({ filter: 'status in ("suspended", 3)' })).names).toEqual(['Globex', '500 Off']);
    expect((await customerPage({ filter: 'rating in (2, null)' })).names).toEqual([null, '50% Off', '500 Off']);
    expect((await customerPage({ filter: 'externalId == "6F9619FF-8B86-D011-B42D-00C04FC964FF"' })).names).toEqual([
      'Acme',
    ]);
    expect((await customerPage({ filter: 'createdAt >= "2024-03-01T01:00:00+01:00" and isReseller' })).names).toEqual([
      'Initech',
    ]);
  });

  it('filters through relations without repeating root rows', async () => {
    // Acme has two orders over 100 but is listed and counted once.
    expect(await customerPage({ filter: 'orders.total > 100' })).toEqual({ names: ['Acme', 'Initech'], total: 2 });
    expect((await customerPage({ filter: 'tags.label == "VIP" and region.name == "EU"' })).names).toEqual(['Acme']);
    expect((await customerPage({ filter: 'not (tags.label == "VIP")' })).names).toEqual([
      'Globex',
      'Initech',
      null,
      '50% Off',
      '500 Off',
    ]);
  });

  /** One page of the customers (read raw) or of the orders (read as entities). */
  function listOf(entity: 'customer' | 'order', options: Partial<PageOptions>) {
    const builder =
      entity === 'customer'
        ? dataSource.getRepository(Customer).createQueryBuilder('c')
        : dataSource.getRepository(Order).createQueryBuilder('c');
    return findPage(
      builder as SelectQueryBuilder<Customer & Order>,
      'c',
      entity === 'customer' ? customerQuery : orderQuery,
      page(options),
      { raw: entity === 'customer' },
    );
  }

  /** Every page of a list by cursor, from the first, as the ids each page answered. */
  async function walkByCursor(entity: 'customer' | 'order', options: Partial<PageOptions>): Promise<number[][]> {
    const pages: number[][] = [];
    let cursor: string | undefined;
    do {
      const result = await listOf(entity, { ...options, cursor });
      pages.push(result.items.map((row) => row.id));
      cursor = result.nextCursor ?? undefined;
      expect(pages.length).toBeLessThan(20);
    } while (cursor);
    return pages;
  }

  async function idsInOrder(entity: 'customer' | 'order', options: Partial<PageOptions>): Promise<number[]> {
    return (await listOf(entity, { ...options, take: 1000 })).items.map((row) => row.id);
  }

  it('walks every sort by cursor in the order skip pages give, NULLs and descending sorts included', async () => {
    // Two timestamps within one millisecond: a cursor holding a Date would skip or repeat one of them.
    await dataSource.query(
      `UPDATE customer SET created_at = '2024-01-15 00:00:00.000100+00' WHERE company_name = 'Globex';
       UPDATE customer SET created_at = '2024-01-15 00:00:00.000400+00' WHERE company_name = '50% Off'`,
    );
    const sorts = [
      undefined,
      'id desc',
      'rating',
      'rating desc',
      'company',
      'company desc',
      'createdAt desc',
      'createdAt',
      'rating desc, company',
      'status, rating desc',
      'isReseller desc, externalId',
    ];
    for (const sort of sorts) {
      for (const take of [1, 2, 4]) {
        const expected = await idsInOrder('customer', { sort });
        const pages = await walkByCursor('customer', { sort, take });
        expect({ sort, take, ids: pages.flat() }).toEqual({ sort, take, ids: expected });
        expect(pages.every((ids) => ids.length === take || ids === pages[pages.length - 1])).toBe(true);
      }
    }
    // Closing times within one millisecond of each other, and NULLs: a nullable timestamp sort in two segments.
    await dataSource.query(
      `UPDATE "order" SET closed_at = CASE id % 4 WHEN 0 THEN NULL WHEN 1 THEN timestamptz '2024-05-01 00:00:00.000200+00'
         WHEN 2 THEN timestamptz '2024-05-01 00:00:00.000700+00' ELSE NULL END`,
    );
    for (const sort of [
      'total desc',
      'total',
      'placedAt desc, total',
      'closedAt',
      'closedAt desc',
      'closedAt, total desc',
    ]) {
      const expected = await idsInOrder('order', { sort });
      expect({ sort, ids: (await walkByCursor('order', { sort, take: 1 })).flat() }).toEqual({ sort, ids: expected });
    }
    const filtered = await walkByCursor('customer', { filter: 'rating >= 3', sort: 'rating desc', take: 2 });
    expect(filtered.flat()).toEqual(await idsInOrder('customer', { filter: 'rating >= 3', sort: 'rating desc' }));
  });

  it('gives no cursor after the last row, and refuses one of another filter or sort', async () => {
    const customers = () => dataSource.getRepository(Customer).createQueryBuilder('c');
    const all = await findPage(customers(), 'c', customerQuery, page({ take: 6 }));
    expect(all.items).toHaveLength(6);
    expect(all.nextCursor).toBeNull();
    const first = await findPage(customers(), 'c', customerQuery, page({ filter: 'rating >= 3', take: 1 }));
    expect(first.nextCursor).toEqual(expect.any(String));
    const cursor = first.nextCursor!;
    for (const other of [
      { filter: 'rating >= 4' },
      { filter: 'rating >= 3', sort: 'rating' },
      { filter: 'rating >= 3', sort: 'id desc' },
    ]) {
      await expect(findPage(customers(), 'c', customerQuery, page({ ...other, cursor }))).rejects.toMatchObject({
        errorCode: 121,
      });
    }
    await expect(
      findPage(
        dataSource.getRepository(Order).createQueryBuilder('c'),
        'c',
        orderQuery,
        page({ filter: 'rating >= 3', cursor }),
      ),
    ).rejects.toMatchObject({ errorCode: 102 });
    await expect(
      findPage(dataSource.getRepository(Order).createQueryBuilder('c'), 'c', orderQuery, page({ cursor })),
    ).rejects.toMatchObject({ errorCode: 121 });
  });

  it('refuses a cursor with a sort through a related record, and answers no cursor for one', async () => {
    const orders = () => dataSource.getRepository(Order).createQueryBuilder('o');
    const first = await findPage(orders(), 'o', orderQuery, page({ sort: 'customer.company', take: 1 }));
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).toBeNull();
    const byId = await findPage(orders(), 'o', orderQuery, page({ take: 1 }));
    await expect(
      findPage(orders(), 'o', orderQuery, page({ sort: 'customer.company', cursor: byId.nextCursor! })),
    ).rejects.toMatchObject({ errorCode: 123 });
  });

  it('compares decimals exactly and sorts through a to-one relation', async () => {
    const result = await findPage(
      dataSource.getRepository(Order).createQueryBuilder('o'),
      'o',
      orderQuery,
      page({ filter: 'total == 0.1 or total == 250', sort: 'customer.company desc' }),
    );
    expect(result.items.map((order) => order.orderTotal)).toEqual(['0.10', '250.00']);
    expect(result.total).toBe(2);
  });
});

async function seed(dataSource: DataSource): Promise<void> {
  const [eu, us] = await dataSource.getRepository(Region).save([{ regionName: 'EU' }, { regionName: 'US' }]);
  const [vip, trial] = await dataSource.getRepository(Tag).save([{ label: 'VIP' }, { label: 'Trial' }]);
  const customer = (values: Partial<Customer>): Partial<Customer> => ({
    createdAt: new Date('2024-01-15T00:00:00Z'),
    status: CustomerStatus.Active,
    ...values,
  });
  const [acme, globex, initech] = await dataSource.getRepository(Customer).save([
    customer({
      companyName: 'Acme',
      rating: 5,
      region: eu,
      tags: [vip],
      externalId: '6f9619ff-8b86-d011-b42d-00c04fc964ff',
    }),
    customer({ companyName: 'Globex', rating: 4, region: us, tags: [trial], status: CustomerStatus.Suspended }),
    customer({ companyName: 'Initech', rating: 4, isReseller: true, createdAt: new Date('2024-03-01T00:00:00Z') }),
    customer({ companyName: null, rating: null, tags: [] }),
    customer({ companyName: '50% Off', rating: 2 }),
    customer({ companyName: '500 Off', rating: 2, status: CustomerStatus.Closed }),
  ]);
  const order = (owner: Customer, orderTotal: string): Partial<Order> => ({
    customer: owner,
    orderTotal,
    placedAt: new Date('2024-02-01T00:00:00Z'),
  });
  await dataSource
    .getRepository(Order)
    .save([order(acme, '150.00'), order(acme, '250.00'), order(globex, '0.10'), order(initech, '100.01')]);
}
