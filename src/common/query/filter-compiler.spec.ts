import { HttpStatus } from '@nestjs/common';
import type { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { ErrorCode } from '../errors';
import { applyFilter, compileFilter, parseFilterTemplate } from './filter-compiler';
import { defineQueryEntity, type QueryEntity } from './query-entity';
import { apiErrorOf } from './testing/api-error';
import { Customer, customerQuery, metadataOnlyDataSource, Order, orderQuery } from './testing/query-fixtures';

let dataSource: DataSource;
beforeAll(async () => {
  dataSource = await metadataOnlyDataSource();
});

const customers = () => dataSource.createQueryBuilder(Customer, 'c');
const orders = () => dataSource.createQueryBuilder(Order, 'o');

/** The WHERE clause and bound values of `qb`, which TypeORM numbers $1, $2, … */
function compiled(qb: SelectQueryBuilder<ObjectLiteral>) {
  const [sql, parameters] = qb.getQueryAndParameters();
  const whereAt = sql.indexOf(' WHERE ');
  return { where: whereAt < 0 ? '' : sql.slice(whereAt + ' WHERE '.length), parameters, sql };
}

function customerFilter(filter: string) {
  return compiled(applyFilter(customers(), 'c', customerQuery, filter));
}

function rejection(filter: string, entity: QueryEntity = customerQuery) {
  const error = apiErrorOf(() => applyFilter(customers(), 'c', entity, filter));
  expect(error.getStatus()).toBe(HttpStatus.BAD_REQUEST);
  expect(error.errorCode).toBe(ErrorCode.InvalidFilter);
  return error.message;
}

describe('applyFilter', () => {
  it('adds nothing for a missing or blank filter', () => {
    expect(customerFilter('').where).toBe('');
    expect(compiled(applyFilter(customers(), 'c', customerQuery, undefined)).where).toBe('');
    expect(customerFilter('   ').where).toBe('');
  });

  describe('comparisons', () => {
    it.each([
      ['==', '='],
      ['=', '='],
      ['<', '<'],
      ['<=', '<='],
      ['>', '>'],
      ['>=', '>='],
    ])('compiles %s to %s with a bound value', (written, sql) => {
      expect(customerFilter(`rating ${written} 3`)).toMatchObject({
        where: `"c"."rating" ${sql} $1`,
        parameters: [3],
      });
    });

    it('takes column names from metadata (snake_case) and matches field names case-insensitively', () => {
      expect(customerFilter('COMPANY == "Acme" and CreatedAt > "2024-01-01"')).toMatchObject({
        where: '("c"."company_name" = $1 AND "c"."created_at" > $2)',
        parameters: ['Acme', '2024-01-01T00:00:00.000Z'],
      });
    });

    it('turns a value on the left around', () => {
      expect(customerFilter('3 < rating').where).toBe('"c"."rating" > $1');
      expect(customerFilter('"Acme" == company').where).toBe('"c"."company_name" = $1');
    });

    it('never puts a literal into the SQL text', () => {
      const { sql, parameters } = customerFilter(`company == "x'; DROP TABLE customer; --" or rating == 1`);
      expect(sql).not.toContain('DROP');
      expect(parameters).toEqual(["x'; DROP TABLE customer; --", 1]);
    });

    it('rejects comparing two values or two fields', () => {
      expect(rejection('1 == 1')).toBe(
        'Invalid filter at column 1: a comparison needs one field and one value, e.g. Name == "value"',
      );
      expect(rejection('rating == status')).toContain('a comparison needs one field and one value');
    });

    it('rejects a lone value as a condition', () => {
      expect(rejection('rating == 1 or true')).toBe(
        'Invalid filter at column 16: expected a condition such as Name == "value" but found a lone value',
      );
    });
  });

  describe('null', () => {
    it('compiles == null and != null to IS [NOT] NULL, whichever side null is on', () => {
      expect(customerFilter('company == null').where).toBe('"c"."company_name" IS NULL');
      expect(customerFilter('null != company').where).toBe('"c"."company_name" IS NOT NULL');
      expect(customerFilter('company <> null').parameters).toEqual([]);
    });

    it('negates IS NULL under not', () => {
      expect(customerFilter('not (company == null)').where).toBe('"c"."company_name" IS NOT NULL');
    });

    it('rejects ordering comparisons with null', () => {
      expect(rejection('rating < null')).toBe('Invalid filter at column 10: only == and != can compare with null');
    });
  });

  describe('logic and null semantics of the original service', () => {
    it('keeps and/or structure and pushes not down to the comparisons (De Morgan)', () => {
      expect(customerFilter('(rating == 1 or rating == 2) and status == 1').where).toBe(
        '(("c"."rating" = $1 OR "c"."rating" = $2) AND "c"."status" = $3)',
      );
      expect(customerFilter('not (status == 1 and status >= 2)').where).toBe(
        '("c"."status" <> $1 OR "c"."status" < $2)',
      );
      expect(customerFilter('!!(status == 1)').where).toBe('"c"."status" = $1');
    });

    it('lets != match rows where a nullable column is null, as in .NET', () => {
      expect(customerFilter('company != "Acme"').where).toBe(
        '("c"."company_name" <> $1 OR "c"."company_name" IS NULL)',
      );
      expect(customerFilter('not (rating > 3)').where).toBe('("c"."rating" <= $1 OR "c"."rating" IS NULL)');
      expect(customerFilter('not (company != "Acme")').where).toBe('"c"."company_name" = $1');
    });

    it('adds no null test for columns that cannot be null', () => {
      expect(customerFilter('status != 1').where).toBe('"c"."status" <> $1');
      expect(customerFilter('!(status < 2)').where).toBe('"c"."status" >= $1');
    });

    it('keeps the whole filter in one bracket next to conditions the caller added', () => {
      const qb = customers().where('c.isReseller = :reseller', { reseller: true });
      const { where, parameters } = compiled(applyFilter(qb, 'c', customerQuery, 'rating == 1 or rating == 2'));
      expect(where).toBe('"c"."is_reseller" = $1 AND ("c"."rating" = $2 OR "c"."rating" = $3)');
      expect(parameters).toEqual([true, 1, 2]);
    });
  });

  describe('field types', () => {
    it('binds decimals as the digits written, so no float rounding happens on the way', () => {
      expect(compiled(applyFilter(orders(), 'o', orderQuery, 'total >= 0.1 and total < -12.30'))).toMatchObject({
        where: '("o"."order_total" >= $1 AND "o"."order_total" < $2)',
        parameters: ['0.1', '-12.30'],
      });
    });

    it('binds whole numbers as numbers and rejects fractions or values outside int32', () => {
      expect(customerFilter('rating == -5').parameters).toEqual([-5]);
      expect(rejection('rating == 1.5')).toBe(
        'Invalid filter at column 11: rating is a whole-number field from -2147483648 to 2147483647, so 1.5 cannot match it',
      );
      expect(rejection('rating > 2147483648')).toContain('so 2147483648 cannot match it');
    });

    it.each([
      ['"2024-01-31"', '2024-01-31T00:00:00.000Z'],
      ['"2024-01-31T12:30:00Z"', '2024-01-31T12:30:00.000Z'],
      ['"2024-01-31T12:30:00.123456Z"', '2024-01-31T12:30:00.123Z'],
      ['"2024-01-31T12:30:00+02:00"', '2024-01-31T10:30:00.000Z'],
      ['"2024-01-31 12:30-0130"', '2024-01-31T14:00:00.000Z'],
      ['"2024-01-31T12:30"', '2024-01-31T12:30:00.000Z'],
      ["'2024-02-29'", '2024-02-29T00:00:00.000Z'],
    ])('reads the date %s as the instant %s (UTC when no offset is given)', (literal, instant) => {
      expect(customerFilter(`createdAt >= ${literal}`).parameters).toEqual([instant]);
    });

    it.each(['"2023-02-29"', '"2024-13-01"', '"2024-01-31T24:00:00Z"', '"31/01/2024"', '"yesterday"'])(
      'rejects the date %s',
      (literal) => {
        expect(rejection(`createdAt < ${literal}`)).toBe(
          `Invalid filter at column 13: ${literal} is not an ISO-8601 date; write e.g. "2024-01-31" or "2024-01-31T12:00:00Z"`,
        );
      },
    );

    it('accepts a UUID in any case and binds it in lower case', () => {
      expect(customerFilter('externalId == "3F2504E0-4F89-41D3-9A0C-0305E82C3301"').parameters).toEqual([
        '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
      ]);
    });

    it('reads enums by number or by name in any case', () => {
      expect(customerFilter('status == 2').parameters).toEqual([2]);
      expect(customerFilter('status == "suspended" or status == \'CLOSED\'').parameters).toEqual([2, 3]);
      expect(customerFilter('status > "Active"')).toMatchObject({ where: '"c"."status" > $1', parameters: [1] });
    });

    it('rejects an enum value that does not exist, listing the valid ones', () => {
      const expected = 'status must be one of Active (1), Suspended (2), Closed (3), given by name or number';
      expect(rejection('status == "Deleted"')).toBe(`Invalid filter at column 11: ${expected}`);
      expect(rejection('status == 7')).toBe(`Invalid filter at column 11: ${expected}`);
    });

    it('uses a yes/no field on its own as a condition', () => {
      expect(customerFilter('isReseller')).toMatchObject({ where: '"c"."is_reseller" = $1', parameters: [true] });
      expect(customerFilter('!IsReseller')).toMatchObject({ where: '"c"."is_reseller" <> $1', parameters: [true] });
      expect(customerFilter('isReseller == false').parameters).toEqual([false]);
    });

    it('rejects a field that is not yes/no used on its own', () => {
      expect(rejection('company')).toBe(
        'Invalid filter at column 1: company is not a true/false field, so it cannot stand alone as a condition; compare it with a value, e.g. company == …',
      );
    });

    it.each([
      ['company == 1', 12, 'company is a text field; compare it with a quoted string, e.g. "abc"'],
      ['rating == "3"', 11, 'rating is a whole-number field; compare it with a number, e.g. 42'],
      ['isReseller == 1', 15, 'isReseller is a true/false field; compare it with true or false'],
      ['isReseller == "true"', 15, 'isReseller is a true/false field; compare it with true or false'],
      [
        'createdAt > 20240101',
        13,
        'createdAt is a date field; compare it with a quoted date, e.g. "2024-01-31" or "2024-01-31T12:00:00Z"',
      ],
      [
        'externalId == "42"',
        15,
        'externalId is an id field; compare it with a quoted UUID, e.g. "3f2504e0-4f89-41d3-9a0c-0305e82c3301"',
      ],
      ['status == true', 11, 'status must be one of Active (1), Suspended (2), Closed (3), given by name or number'],
    ])('rejects %s at column %d', (filter, column, problem) => {
      expect(rejection(filter)).toBe(`Invalid filter at column ${column}: ${problem}`);
    });

    it('rejects ordering comparisons on yes/no and id fields', () => {
      expect(rejection('isReseller > false')).toBe(
        'Invalid filter at column 1: isReseller cannot be compared with >; use == or !=',
      );
      expect(rejection('externalId <= "3f2504e0-4f89-41d3-9a0c-0305e82c3301"')).toContain('use == or !=');
    });

    it('checks decimals are numbers', () => {
      const error = apiErrorOf(() => applyFilter(orders(), 'o', orderQuery, 'total == "12"'));
      expect(error.message).toBe(
        'Invalid filter at column 10: total is a number field; compare it with a number, e.g. 9.99',
      );
    });
  });

  describe('string methods', () => {
    it.each([
      ['Contains', '%50\\%\\_off\\\\%'],
      ['StartsWith', '50\\%\\_off\\\\%'],
      ['EndsWith', '%50\\%\\_off\\\\'],
    ])('compiles %s to a case-insensitive ILIKE with %%, _ and \\ escaped', (method, pattern) => {
      expect(customerFilter(String.raw`company.${method}("50%_off\\")`)).toMatchObject({
        where: '"c"."company_name" ILIKE $1',
        parameters: [pattern],
      });
    });

    it('keeps rows with a null value when negated, as .NET does', () => {
      expect(customerFilter('!company.contains("x")').where).toBe(
        '("c"."company_name" NOT ILIKE $1 OR "c"."company_name" IS NULL)',
      );
    });

    it('rejects methods on fields that are not text, and arguments that are not strings', () => {
      expect(rejection('rating.Contains("1")')).toBe(
        'Invalid filter at column 17: Contains works only on text fields, and rating is a number field',
      );
      expect(rejection('company.StartsWith(1)')).toBe(
        'Invalid filter at column 20: StartsWith needs a quoted string, e.g. StartsWith("abc")',
      );
      expect(rejection('company.EndsWith(null)')).toContain('EndsWith needs a quoted string');
    });
  });

  describe('in lists', () => {
    it('binds the whole list as one array value', () => {
      expect(customerFilter('rating in (1, 2, 3)')).toMatchObject({
        where: '"c"."rating" = ANY($1)',
        parameters: [[1, 2, 3]],
      });
      expect(customerFilter('status in ("active", 3)').parameters).toEqual([[1, 3]]);
      expect(customerFilter('company in ("a", \'b\')').parameters).toEqual([['a', 'b']]);
    });

    it('handles null in the list', () => {
      expect(customerFilter('rating in (1, null)').where).toBe('("c"."rating" = ANY($1) OR "c"."rating" IS NULL)');
      expect(customerFilter('rating in (null)').where).toBe('"c"."rating" IS NULL');
    });

    it('negates with <> ALL, keeping the .NET treatment of null', () => {
      expect(customerFilter('not (rating in (1, 2))').where).toBe('("c"."rating" <> ALL($1) OR "c"."rating" IS NULL)');
      expect(customerFilter('not (rating in (1, null))').where).toBe('"c"."rating" <> ALL($1)');
      expect(customerFilter('not (rating in (null))').where).toBe('"c"."rating" IS NOT NULL');
    });

    it('type-checks every value and points at the wrong one', () => {
      expect(rejection('rating in (1, "2", 3)')).toBe(
        'Invalid filter at column 15: rating is a whole-number field; compare it with a number, e.g. 42',
      );
    });
  });

  describe('unknown and hidden fields', () => {
    const allowed =
      'company, createdAt, externalId, id, isReseller, orders.<field>, rating, region.<field>, status, tags.<field>';

    it('names the unknown field, its column and the fields that are allowed', () => {
      expect(rejection('rating == 1 and Foo == 2')).toBe(
        `Unknown field "Foo" in filter at column 17; allowed: ${allowed}`,
      );
    });

    it('treats a field that is not filterable as unknown', () => {
      expect(rejection('internalNote == "x"')).toBe(
        `Unknown field "internalNote" in filter at column 1; allowed: ${allowed}`,
      );
    });

    it('points at the unknown segment of a path and lists what that relation offers', () => {
      expect(rejection('Region.Foo == 1')).toBe(
        'Unknown field "Region.Foo" in filter at column 8; allowed: Region.id, Region.name',
      );
      expect(rejection('Nope.Foo == 1')).toBe(`Unknown field "Nope" in filter at column 1; allowed: ${allowed}`);
    });

    it('explains a relation used as a value and a field used as a relation', () => {
      expect(rejection('region == null')).toBe(
        'Invalid filter at column 1: region is a relation; compare one of its fields, e.g. region.id',
      );
      expect(rejection('company.length == 3')).toBe(
        'Invalid filter at column 9: company is a field, not a relation, so it has no member "length"',
      );
    });
  });

  describe('to-one navigation', () => {
    it('left-joins the relation once, however often the filter uses it', () => {
      const { sql, where } = customerFilter('region.name == "EU" or Region.Id == 3 or REGION.name == null');
      expect(sql).toContain(' LEFT JOIN "region" "c_region" ON "c_region"."id"="c"."region_id" WHERE ');
      expect(sql.match(/JOIN/g)).toHaveLength(1);
      // A missing region reads as null, so != keeps customers without one.
      expect(where).toBe('("c_region"."region_name" = $1 OR "c_region"."id" = $2 OR "c_region"."region_name" IS NULL)');
      expect(customerFilter('region.id != 3').where).toBe('("c_region"."id" <> $1 OR "c_region"."id" IS NULL)');
    });

    it('follows a chain of to-one relations', () => {
      const { sql, where } = compiled(applyFilter(orders(), 'o', orderQuery, 'customer.region.name.StartsWith("E")'));
      expect(sql).toContain(
        'LEFT JOIN "customer" "o_customer" ON "o_customer"."id"="o"."customer_id" ' +
          'LEFT JOIN "region" "o_customer_region" ON "o_customer_region"."id"="o_customer"."region_id"',
      );
      expect(where).toBe('"o_customer_region"."region_name" ILIKE $1');
    });

    it("reuses the caller's join of the same relation, e.g. one made to load an include", () => {
      const qb = customers().innerJoinAndSelect('c.region', 'r');
      const { sql, where } = compiled(applyFilter(qb, 'c', customerQuery, 'region.id != 3'));
      expect(sql.match(/JOIN/g)).toHaveLength(1);
      // An inner join cannot produce a missing region, so no null test is added.
      expect(where).toBe('"r"."id" <> $1');
    });
  });

  describe('to-many navigation', () => {
    it('compiles to EXISTS so customers are not repeated once per order', () => {
      const { sql, where, parameters } = customerFilter('orders.id == 7');
      expect(sql).toContain('FROM "customer" "c" WHERE EXISTS (');
      expect(where).toBe(
        'EXISTS (SELECT 1 FROM "customer" "c_orders_owner" ' +
          'INNER JOIN "order" "c_orders" ON "c_orders"."customer_id"="c_orders_owner"."id" ' +
          'WHERE "c_orders_owner"."id" = "c"."id" AND "c_orders"."id" = $1)',
      );
      expect(parameters).toEqual([7]);
    });

    it('negates with NOT EXISTS: no related row matches', () => {
      expect(customerFilter('not (orders.id == 7)').where).toMatch(
        /^NOT EXISTS \(SELECT 1 .* AND "c_orders"\."id" = \$1\)$/,
      );
    });

    it('goes through the join table of a many-to-many relation', () => {
      expect(customerFilter('tags.label == "vip"').where).toBe(
        'EXISTS (SELECT 1 FROM "customer" "c_tags_owner" ' +
          'INNER JOIN "customer_tags_tag" "c_tags_owner_c_tags" ON "c_tags_owner_c_tags"."customer_id"="c_tags_owner"."id" ' +
          'INNER JOIN "tag" "c_tags" ON "c_tags"."id"="c_tags_owner_c_tags"."tag_id" ' +
          'WHERE "c_tags_owner"."id" = "c"."id" AND "c_tags"."label" = $1)',
      );
    });

    it('joins to-one relations inside the sub-query and numbers parameters across it', () => {
      const { where, parameters } = customerFilter('rating == 1 and orders.customer.company == "x" and rating == 2');
      expect(where).toBe(
        '("c"."rating" = $1 AND EXISTS (SELECT 1 FROM "customer" "c_orders_owner" ' +
          'INNER JOIN "order" "c_orders" ON "c_orders"."customer_id"="c_orders_owner"."id" ' +
          'LEFT JOIN "customer" "c_orders_customer" ON "c_orders_customer"."id"="c_orders"."customer_id" ' +
          'WHERE "c_orders_owner"."id" = "c"."id" AND "c_orders_customer"."company_name" = $2) AND "c"."rating" = $3)',
      );
      expect(parameters).toEqual([1, 'x', 2]);
    });
  });

  describe('parameter names', () => {
    it("never clash with the caller's parameters or with an earlier filter on the same builder", () => {
      const qb = customers().where('c.rating = :filter_0', { filter_0: 99 });
      applyFilter(qb, 'c', customerQuery, 'rating == 1');
      applyFilter(qb, 'c', customerQuery, 'rating == 2');
      expect(qb.getParameters()).toEqual({ filter_0: 99, filter_1: 1, filter_2: 2 });
      expect(compiled(qb).parameters).toEqual([99, 1, 2]);
    });
  });

  describe('whitelist mistakes are programming errors, not 400s', () => {
    it('reports a field property the entity does not have', () => {
      const broken = defineQueryEntity({ name: 'Broken', fields: { id: { property: 'nope', type: 'number' } } });
      expect(() => applyFilter(customers(), 'c', broken, 'id == 1')).toThrow(
        'QueryEntity Broken: "nope" is not a column property of Customer',
      );
    });

    it('reports a relation declared with the wrong cardinality', () => {
      const broken = defineQueryEntity({
        name: 'Broken',
        fields: { id: { type: 'number' } },
        relations: { region: { target: () => customerQuery, many: true } },
      });
      expect(() => applyFilter(customers(), 'c', broken, 'region.id == 1')).toThrow(
        'QueryEntity Broken: relation "region" is declared many: true but TypeORM maps it as many-to-one',
      );
    });
  });
});

describe('compileFilter and its binding', () => {
  const template = (filter: string) => parseFilterTemplate(filter)!.template;

  it('gives filters that differ only in their values one template, and any other difference another', () => {
    expect(template('Rating >= 3 and Company.Contains("a")')).toBe(
      template('Rating >= 40 and Company.Contains("bcd")'),
    );
    expect(template('Id in (1, 2)')).toBe(template('Id in (7, 8)'));
    expect(template('Rating >= 3')).not.toBe(template('Rating > 3'));
    expect(template('Rating >= 3')).not.toBe(template('Rating >= "3"'));
    expect(template('Company == "a"')).not.toBe(template('Company == null'));
    expect(template('Id in (1, 2)')).not.toBe(template('Id in (1, null)'));
    expect(parseFilterTemplate('  ')).toBeUndefined();
  });

  it('binds another filter of the template to the parameters its own compilation would bind, and checks its values', () => {
    const bindingOf = (filter: string) => compileFilter(customers(), 'c', customerQuery, parseFilterTemplate(filter)!);
    const literalsOf = (filter: string) => parseFilterTemplate(filter)!.literals;
    const filters = [
      'Rating >= 3 and Status == "Active" and Company.StartsWith("a_b")',
      'Rating >= 9 and Status == "closed" and Company.StartsWith("x%")',
    ];
    const bind = bindingOf(filters[0]);
    for (const filter of filters) expect(bind(literalsOf(filter))).toEqual(customerFilterParameters(filter));
    const wrong = literalsOf('Rating >= 9 and Status == "Sleeping" and Company.StartsWith("x")');
    const error = apiErrorOf(() => bind(wrong));
    expect(error.errorCode).toBe(ErrorCode.InvalidFilter);
    expect(error.message).toMatch(/at column 27: Status must be one of Active \(1\)/);
  });

  function customerFilterParameters(filter: string): ObjectLiteral {
    const qb = applyFilter(customers(), 'c', customerQuery, filter);
    return qb.getParameters();
  }
});
