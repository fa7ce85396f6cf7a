import { HttpStatus } from '@nestjs/common';
import { DataSource, type SelectQueryBuilder } from 'typeorm';
import { useNamedStatements } from '../../database/named-statements';
import { ErrorCode } from '../errors';
import { applyPaging, applySort, findPage, parseInclude, parseSelect, pickFields } from './query-compiler';
import { apiErrorOf } from './testing/api-error';
import {
  Customer,
  customerQuery,
  metadataOnlyDataSource,
  Order,
  orderQuery,
  regionQuery,
} from './testing/query-fixtures';

let dataSource: DataSource;
beforeAll(async () => {
  dataSource = await metadataOnlyDataSource();
});

const customers = () => dataSource.createQueryBuilder(Customer, 'c');

function orderByOf(qb: SelectQueryBuilder<Customer | Order>): string {
  const sql = qb.getQuery();
  return sql.slice(sql.indexOf(' ORDER BY ') + ' ORDER BY '.length);
}

function optionRejection(action: () => unknown): string {
  const error = apiErrorOf(action);
  expect(error.getStatus()).toBe(HttpStatus.BAD_REQUEST);
  expect(error.errorCode).toBe(ErrorCode.InvalidQueryOption);
  return error.message;
}

describe('applySort', () => {
  it('sorts by id when no sort is given', () => {
    expect(orderByOf(applySort(customers(), 'c', customerQuery, undefined))).toBe('"c"."id" ASC');
    expect(orderByOf(applySort(customers(), 'c', customerQuery, ' '))).toBe('"c"."id" ASC');
  });

  it('reads Field [asc|desc] lists in any case and appends the id tiebreak', () => {
    expect(orderByOf(applySort(customers(), 'c', customerQuery, 'CreatedAt DESC, company, rating Asc'))).toBe(
      '"c"."created_at" DESC, "c"."company_name" ASC, "c"."rating" ASC, "c"."id" ASC',
    );
    expect(orderByOf(applySort(customers(), 'c', customerQuery, 'rating descending,company ascending,'))).toBe(
      '"c"."rating" DESC, "c"."company_name" ASC, "c"."id" ASC',
    );
  });

  it('does not add the tiebreak when the sort already names the id', () => {
    expect(orderByOf(applySort(customers(), 'c', customerQuery, 'Id desc, rating'))).toBe(
      '"c"."id" DESC, "c"."rating" ASC',
    );
  });

  it('sorts through to-one relations with a join', () => {
    const qb = applySort(dataSource.createQueryBuilder(Order, 'o'), 'o', orderQuery, 'customer.region.name desc');
    expect(qb.getQuery()).toContain('LEFT JOIN "region" "o_customer_region"');
    expect(orderByOf(qb)).toBe('"o_customer_region"."region_name" DESC, "o"."id" ASC');
  });

  it.each([
    [
      'Foo',
      'Unknown sort field "Foo"; sortable: company, createdAt, externalId, id, isReseller, orders.<field>, rating, region.<field>, status, tags.<field>',
    ],
    ['internalNote', 'Unknown sort field "internalNote"; sortable:'],
    ['region.foo', 'Unknown sort field "region.foo"; sortable: region.id, region.name'],
    ['rating up', 'Invalid sort "rating up": write Field [asc|desc], separated by commas, e.g. "createdAt desc, id"'],
    ['rating; DROP TABLE customer', 'Invalid sort "rating; DROP TABLE customer"'],
    ['rating, RATING desc', 'sort names "RATING" more than once'],
    ['orders.id', 'cannot sort by "orders.id": orders holds many items, so it has no single value to sort by'],
  ])('rejects %j', (sort, message) => {
    expect(optionRejection(() => applySort(customers(), 'c', customerQuery, sort))).toContain(message);
  });
});

describe('parseSelect and pickFields', () => {
  it('returns undefined when every field is wanted', () => {
    expect(parseSelect(customerQuery, undefined)).toBeUndefined();
    expect(parseSelect(customerQuery, ' , ')).toBeUndefined();
  });

  it('returns canonical names in the order given, without duplicates', () => {
    expect(parseSelect(customerQuery, 'RATING, id ,company,Id')).toEqual(['rating', 'id', 'company']);
  });

  it('rejects unknown fields, listing the allowed ones', () => {
    expect(optionRejection(() => parseSelect(regionQuery, 'id,colour'))).toBe(
      'Unknown field "colour" in select; allowed: id, name',
    );
  });

  it('keeps only the selected members of a DTO', () => {
    const dto = { id: 1, company: 'Acme', rating: 4, region: { id: 2 } };
    expect(pickFields(dto, ['rating', 'id'])).toEqual({ id: 1, rating: 4 });
    expect(pickFields(dto, ['id', 'region'])).toEqual({ id: 1, region: { id: 2 } });
    expect(pickFields(dto, undefined)).toBe(dto);
  });
});

describe('parseInclude', () => {
  it('returns canonical relation names, or none', () => {
    expect(parseInclude(customerQuery, 'TAGS, region,tags')).toEqual(['tags', 'region']);
    expect(parseInclude(customerQuery, undefined)).toEqual([]);
  });

  it('rejects unknown and non-includable relations, listing the allowed ones', () => {
    expect(optionRejection(() => parseInclude(customerQuery, 'orders'))).toBe(
      'Unknown relation "orders" in include; allowed: region, tags',
    );
    expect(optionRejection(() => parseInclude(regionQuery, 'customers'))).toBe(
      'Unknown relation "customers" in include; Region has nothing to include',
    );
  });
});

describe('applyPaging', () => {
  it('uses LIMIT/OFFSET on the query itself', () => {
    expect(applyPaging(customers(), { take: 25, skip: 50 }).getQuery()).toMatch(/ LIMIT 25 OFFSET 50$/);
    expect(applyPaging(customers(), { take: 0, skip: 0 }).getQuery()).toMatch(/ LIMIT 0 OFFSET 0$/);
  });

  it('pages over distinct root rows when the caller joined a to-many relation', () => {
    const qb = applyPaging(customers().leftJoinAndSelect('c.tags', 't'), { take: 25, skip: 50 });
    expect(qb.getQuery()).not.toContain('LIMIT');
    expect(qb.expressionMap.take).toBe(25);
    expect(qb.expressionMap.skip).toBe(50);
  });
});

describe('findPage', () => {
  const page = { take: 2, skip: 4 };
  let executed: string[];

  beforeEach(() => {
    executed = [];
    // Counts and pages run as cached SQL (statement-cache.ts); without a pool here, unnamed through the DataSource.
    useNamedStatements(false);
    jest.spyOn(DataSource.prototype, 'query').mockImplementation(async (sql: string) => {
      if (/^SELECT COUNT\(/.test(sql)) {
        executed.push(`count: ${sql}`);
        return [{ cnt: '42' }];
      }
      executed.push(`items: ${sql}`);
      return [{ c_id: 1, c_company_name: 'Acme' }];
    });
  });

  afterEach(() => {
    jest.restoreAllMocks();
    useNamedStatements(true);
  });

  it('counts the filtered rows without sorting or paging, then loads one sorted page', async () => {
    const result = await findPage(customers(), 'c', customerQuery, {
      ...page,
      filter: 'rating > 3',
      sort: 'region.name',
    });
    expect(result).toEqual({ items: [expect.any(Customer)], total: 42, nextCursor: null });
    expect(executed).toHaveLength(2);
    expect(executed[0]).toMatch(/^count: SELECT COUNT\(1\) AS "cnt" FROM "customer" "c" WHERE "c"."rating" > \$1$/);
    // One row more than take: it tells whether rows follow the page.
    expect(executed[1]).toMatch(
      /^items: SELECT .* LEFT JOIN "region" "c_region" .* WHERE "c"."rating" > \$1 ORDER BY "c_region"."region_name" ASC, "c"."id" ASC LIMIT 3 OFFSET 4$/,
    );
  });

  it('skips loading items for countOnly and for take=0', async () => {
    expect(await findPage(customers(), 'c', customerQuery, { ...page, countOnly: true })).toEqual({
      items: [],
      total: 42,
      nextCursor: null,
    });
    expect(await findPage(customers(), 'c', customerQuery, { take: 0, skip: 0 })).toEqual({
      items: [],
      total: 42,
      nextCursor: null,
    });
    expect(executed.every((query) => query.startsWith('count:'))).toBe(true);
  });

  it('leaves out the count with withTotal=false', async () => {
    const result = await findPage(customers(), 'c', customerQuery, { ...page, withTotal: false });
    expect(result).toEqual({ items: [expect.any(Customer)], total: null, nextCursor: null });
    expect(executed).toHaveLength(1);
    expect(executed[0]).toMatch(/^items: /);
  });

  it('validates every option before running a query', async () => {
    await expect(
      findPage(customers(), 'c', customerQuery, { ...page, filter: 'rating > 1', sort: 'nope' }),
    ).rejects.toThrow('Unknown sort field "nope"');
    await expect(findPage(customers(), 'c', customerQuery, { ...page, filter: 'nope > 1' })).rejects.toThrow(
      'Unknown field "nope"',
    );
    expect(executed).toEqual([]);
  });
});
