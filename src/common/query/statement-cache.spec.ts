import { Brackets, DataSource } from 'typeorm';
import { useNamedStatements } from '../../database/named-statements';
import * as poolQuery from '../../database/pool-query';
import { MAX_NAMED_SHAPES, countCached, readEntitiesCached, readRawCached } from './statement-cache';
import { Customer, Region, Tag, metadataOnlyDataSource } from './testing/query-fixtures';

describe('statement cache', () => {
  let dataSource: DataSource;
  let executed: Array<{ sql: string; values: unknown[] }>;

  beforeAll(async () => {
    dataSource = await metadataOnlyDataSource();
  });

  beforeEach(() => {
    executed = [];
    // Unnamed statements go through the DataSource (mocked here); named ones through the pool (see below).
    useNamedStatements(false);
    jest.spyOn(DataSource.prototype, 'query').mockImplementation(async (sql: string, values?: unknown) => {
      executed.push({ sql, values: (values as unknown[] | undefined) ?? [] });
      return [{ cnt: '7' }];
    });
  });

  afterEach(() => {
    jest.restoreAllMocks();
    useNamedStatements(true);
  });

  const customers = () => dataSource.getRepository(Customer).createQueryBuilder('c');

  it("binds each request's values to the text of its shape, numbering a repeated name once", async () => {
    const shaped = (least: number) =>
      customers().where('c.rating >= :least AND coalesce(c.rating, :least) >= :least AND c.company_name <> :name', {
        least,
        name: 'x',
      });
    expect(await countCached(shaped(3))).toBe(7);
    await countCached(shaped(5));
    expect(executed[0].sql).toBe(executed[1].sql);
    expect(executed[0].sql).toMatch(
      /"c"."rating" >= \$1 AND coalesce\("c"."rating", \$1\) >= \$1 AND "c"."company_name" <> \$2$/,
    );
    expect(executed.map((query) => query.values)).toEqual([
      [3, 'x'],
      [5, 'x'],
    ]);
  });

  it('tells apart shapes that differ only in a joined table, a bracketed condition or the page', async () => {
    await readRawCached(customers().leftJoin(Region, 'x', 'x.id = c.id'));
    await readRawCached(customers().leftJoin(Tag, 'x', 'x.id = c.id'));
    await readRawCached(
      customers()
        .where(new Brackets((qb) => qb.where('c.rating > :a').orWhere('c.rating IS NULL')))
        .setParameter('a', 1),
    );
    await readRawCached(
      customers()
        .where(new Brackets((qb) => qb.where('c.rating > :a').andWhere('c.rating IS NULL')))
        .setParameter('a', 1),
    );
    await readRawCached(customers().limit(10));
    await readRawCached(customers().limit(20));
    const texts = executed.map((query) => query.sql);
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts[0]).toContain('LEFT JOIN "region" "x"');
    expect(texts[1]).toContain('LEFT JOIN "tag" "x"');
    expect(texts[2]).toContain(' OR ');
    expect(texts[3]).toContain(' AND ');
    expect(texts[4]).toMatch(/LIMIT 10$/);
    expect(texts[5]).toMatch(/LIMIT 20$/);
  });

  it('leaves spread lists to TypeORM, whatever their length', async () => {
    await countCached(customers().where('c.id IN (:...ids)', { ids: [1, 2, 3] }));
    await countCached(customers().where('c.id IN (:...ids)', { ids: [4] }));
    expect(executed[0].sql).toMatch(/IN \(\$1, \$2, \$3\)$/);
    expect(executed[1].sql).toMatch(/IN \(\$1\)$/);
    expect(executed.map((query) => query.values)).toEqual([[1, 2, 3], [4]]);
  });

  describe('with named statements (DATABASE_NAMED_STATEMENTS=true)', () => {
    let prepared: Array<{ name?: string; text: string; values?: unknown[] }>;

    beforeEach(() => {
      useNamedStatements(true);
      prepared = [];
      jest.spyOn(poolQuery, 'queryPool').mockImplementation(async (_dataSource, config) => {
        prepared.push({ name: config.name, text: config.text, values: config.values });
        return [{ cnt: '3', c_id: 1 }] as never[];
      });
    });

    it('names page and count statements by their shape, not by their values', async () => {
      const filtered = (least: number) => customers().where('c.rating >= :least', { least }).limit(25);
      await countCached(filtered(1));
      await countCached(filtered(4));
      await readRawCached(filtered(2));
      await readRawCached(filtered(5));
      const { entities } = (await readEntitiesCached(filtered(3)))!;
      expect(entities[0]).toBeInstanceOf(Customer);
      await readRawCached(filtered(2).limit(50));
      const [count, countAgain, page, pageAgain, entityPage, otherSize] = prepared;
      expect(count.name).toMatch(/^list_[A-Za-z0-9_-]{24}$/);
      expect(countAgain.name).toBe(count.name);
      expect(count.values).toEqual([1]);
      expect(countAgain.values).toEqual([4]);
      expect(pageAgain.name).toBe(page.name);
      // The entity page selects the same columns as the raw one here: one shape, one statement.
      expect(entityPage.name).toBe(page.name);
      expect(new Set([count.name, page.name, otherSize.name]).size).toBe(3);
      expect(executed).toEqual([]);
    });

    it('runs shapes beyond the bound unnamed, their text still cached', async () => {
      for (let size = 1; size <= MAX_NAMED_SHAPES + 20; size++) await readRawCached(customers().limit(size));
      // Named shapes go to the pool, the others unnamed through the DataSource, every one with its own page size.
      expect(new Set(prepared.map((statement) => statement.name)).size).toBe(prepared.length);
      expect(prepared.length).toBeLessThanOrEqual(MAX_NAMED_SHAPES);
      expect(prepared.length + executed.length).toBe(MAX_NAMED_SHAPES + 20);
      expect(executed.length).toBeGreaterThanOrEqual(20);
      expect(executed[executed.length - 1].sql).toMatch(new RegExp(`LIMIT ${MAX_NAMED_SHAPES + 20}$`));
    });

    it('sends them unnamed when named statements are off (PgBouncer in transaction mode)', async () => {
      useNamedStatements(false);
      await countCached(customers().where('c.rating >= :least', { least: 1 }));
      expect(prepared).toEqual([]);
      expect(executed).toHaveLength(1);
    });
  });
});
