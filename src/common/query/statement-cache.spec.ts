import { Brackets, DataSource } from 'typeorm';
import { countCached, readRawCached } from './statement-cache';
import { Customer, Region, Tag, metadataOnlyDataSource } from './testing/query-fixtures';

describe('statement cache', () => {
  let dataSource: DataSource;
  let executed: Array<{ sql: string; values: unknown[] }>;

  beforeAll(async () => {
    dataSource = await metadataOnlyDataSource();
  });

  beforeEach(() => {
    executed = [];
    jest.spyOn(DataSource.prototype, 'query').mockImplementation(async (sql: string, values?: unknown) => {
      executed.push({ sql, values: (values as unknown[] | undefined) ?? [] });
      return [{ cnt: '7' }];
    });
  });

  afterEach(() => jest.restoreAllMocks());

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
});
