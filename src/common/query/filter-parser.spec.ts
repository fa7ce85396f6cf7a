import { HttpStatus } from '@nestjs/common';
import { ErrorCode } from '../errors';
import type { FilterNode } from './filter.ast';
import { FILTER_LIMITS, parseFilter } from './filter-parser';
import { apiErrorOf } from './testing/api-error';

/** A compact rendering of the tree so expectations stay readable. */
function show(node: FilterNode): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `${node.kind}(${node.operands.map(show).join(', ')})`;
    case 'not':
      return `not(${show(node.operand)})`;
    case 'comparison':
      return `${node.operator}(${show(node.left)}, ${show(node.right)})`;
    case 'methodCall':
      return `${node.method}(${show(node.target)}, ${show(node.argument)})`;
    case 'inList':
      return `in(${show(node.target)}, [${node.values.map(show).join(', ')}])`;
    case 'member':
      return node.path.map((segment) => segment.name).join('.');
    case 'literal':
      return node.type === 'number' ? node.text : JSON.stringify(node.value);
  }
}

const parsed = (filter: string) => show(parseFilter(filter));

function rejection(filter: string) {
  const error = apiErrorOf(() => parseFilter(filter));
  expect(error.getStatus()).toBe(HttpStatus.BAD_REQUEST);
  expect(error.errorCode).toBe(ErrorCode.InvalidFilter);
  return error.message;
}

describe('parseFilter', () => {
  describe('comparison operators', () => {
    it.each([
      ['==', 'eq'],
      ['=', 'eq'],
      ['!=', 'ne'],
      ['<>', 'ne'],
      ['<', 'lt'],
      ['<=', 'le'],
      ['>', 'gt'],
      ['>=', 'ge'],
    ])('reads %s as %s', (written, operator) => {
      expect(parsed(`Rating ${written} 3`)).toBe(`${operator}(Rating, 3)`);
      expect(parsed(`Rating${written}3`)).toBe(`${operator}(Rating, 3)`);
    });

    it('accepts a value on the left', () => {
      expect(parsed('3 < Rating')).toBe('lt(3, Rating)');
    });
  });

  describe('logical operators and precedence', () => {
    it.each(['and', 'AND', 'And', '&&'])('reads %s as and', (written) => {
      expect(parsed(`a == 1 ${written} b == 2`)).toBe('and(eq(a, 1), eq(b, 2))');
    });

    it.each(['or', 'OR', 'Or', '||'])('reads %s as or', (written) => {
      expect(parsed(`a == 1 ${written} b == 2`)).toBe('or(eq(a, 1), eq(b, 2))');
    });

    it.each(['not ', 'NOT ', 'Not', '!', '! '])('reads "%s" as not', (written) => {
      expect(parsed(`${written}(a == 1)`)).toBe('not(eq(a, 1))');
    });

    it('binds and tighter than or', () => {
      expect(parsed('a == 1 or b == 2 and c == 3')).toBe('or(eq(a, 1), and(eq(b, 2), eq(c, 3)))');
      expect(parsed('a == 1 and b == 2 or c == 3')).toBe('or(and(eq(a, 1), eq(b, 2)), eq(c, 3))');
    });

    it('binds not tighter than and/or', () => {
      expect(parsed('!IsReseller and a == 1')).toBe('and(not(IsReseller), eq(a, 1))');
      expect(parsed('not IsReseller or not (a == 1)')).toBe('or(not(IsReseller), not(eq(a, 1)))');
      expect(parsed('!!IsReseller')).toBe('not(not(IsReseller))');
    });

    it('lets parentheses override precedence', () => {
      expect(parsed('(a == 1 or b == 2) and c == 3')).toBe('and(or(eq(a, 1), eq(b, 2)), eq(c, 3))');
      expect(parsed('((a == 1))')).toBe('eq(a, 1)');
    });

    it('keeps a flat chain flat rather than nesting it', () => {
      expect(parsed('a == 1 or a == 2 or a == 3')).toBe('or(eq(a, 1), eq(a, 2), eq(a, 3))');
    });

    it('does not mistake keywords at the start of a field name for operators', () => {
      expect(parsed('orders == 1 and notes == 2 and android == 3 and index == 4')).toBe(
        'and(eq(orders, 1), eq(notes, 2), eq(android, 3), eq(index, 4))',
      );
    });
  });

  describe('members', () => {
    it('reads dotted navigation and keeps the spelling and position of each segment', () => {
      const tree = parseFilter('Customer.Company == "x"');
      expect(tree).toMatchObject({
        kind: 'comparison',
        left: {
          kind: 'member',
          path: [
            { name: 'Customer', offset: 0 },
            { name: 'Company', offset: 9 },
          ],
        },
      });
    });

    it('accepts underscores and digits', () => {
      expect(parsed('_field2 == 1')).toBe('eq(_field2, 1)');
    });

    it('reads a bare member as a condition', () => {
      expect(parsed('IsReseller')).toBe('IsReseller');
    });
  });

  describe('literals', () => {
    it('reads double- and single-quoted strings', () => {
      expect(parsed('a == "x y"')).toBe('eq(a, "x y")');
      expect(parsed("a == 'x y'")).toBe('eq(a, "x y")');
      expect(parsed('a == ""')).toBe('eq(a, "")');
    });

    it('unescapes \\" \\\' and \\\\', () => {
      expect(parseFilter(String.raw`a == "say \"hi\" \\ it's"`)).toMatchObject({
        right: { value: 'say "hi" \\ it\'s' },
      });
      expect(parseFilter(String.raw`a == 'it\'s'`)).toMatchObject({ right: { value: "it's" } });
    });

    it('keeps operators and keywords inside strings as text', () => {
      expect(parsed('a == "x == 1 or (y)"')).toBe('eq(a, "x == 1 or (y)")');
    });

    it('reads integers, decimals and negative numbers, keeping the written digits', () => {
      expect(parseFilter('a == -12.50')).toMatchObject({ right: { type: 'number', value: -12.5, text: '-12.50' } });
      expect(parsed('a > 0')).toBe('gt(a, 0)');
    });

    it.each(['true', 'TRUE', 'True'])('reads %s', (written) => {
      expect(parseFilter(`a == ${written}`)).toMatchObject({ right: { type: 'boolean', value: true } });
    });

    it('reads false and null in any case', () => {
      expect(parseFilter('a == False')).toMatchObject({ right: { type: 'boolean', value: false } });
      expect(parseFilter('a != NULL')).toMatchObject({ operator: 'ne', right: { type: 'null', value: null } });
    });
  });

  describe('in lists', () => {
    it('reads numbers, strings and null', () => {
      expect(parsed('a in (1, 2, 3)')).toBe('in(a, [1, 2, 3])');
      expect(parsed('a IN ("x",\'y\' , null)')).toBe('in(a, ["x", "y", null])');
      expect(parsed('Customer.Status in (1)')).toBe('in(Customer.Status, [1])');
    });

    it('rejects an empty list', () => {
      expect(rejection('a in ()')).toMatch(/^Invalid filter at column 7: expected .* but found "\)"$/);
    });
  });

  describe('method calls', () => {
    it.each([
      ['Contains', 'contains'],
      ['contains', 'contains'],
      ['StartsWith', 'startsWith'],
      ['STARTSWITH', 'startsWith'],
      ['EndsWith', 'endsWith'],
    ])('reads %s', (written, method) => {
      expect(parsed(`Name.${written}("x")`)).toBe(`${method}(Name, "x")`);
    });

    it('calls methods through navigation and inside logic', () => {
      expect(parsed('not Customer.Company.Contains( "a" ) or x == 1')).toBe(
        'or(not(contains(Customer.Company, "a")), eq(x, 1))',
      );
    });

    it('rejects unknown methods by name', () => {
      expect(rejection('Name.ToUpper("x")')).toBe(
        'Invalid filter at column 1: unknown method "ToUpper"; use Contains, StartsWith or EndsWith',
      );
    });
  });

  describe('rejections point at the problem (1-based column)', () => {
    it.each([
      ['1;DROP TABLE users', 2, 'expected "and", "or", comparison operator or the end of the filter but found ";"'],
      ['a == 1; DROP TABLE users', 7, 'expected "and", "or" or the end of the filter but found ";"'],
      ['(a == 1', 8, 'expected ")", "and" or "or" but found the end of the filter'],
      ['a == 1)', 7, 'expected "and", "or" or the end of the filter but found ")"'],
      ['a ==', 5, 'expected "false", "null", "true", field name, number or string but found the end of the filter'],
      ['a == 1 and', 11, 'expected'],
      ['a == 1 == 2', 8, 'expected'],
      ['a === 1', 5, 'expected'],
      ['a == 1 2', 8, 'expected'],
      ['a.b. == 1', 5, 'expected field name but found " "'],
      ['a == 1abc', 6, 'expected'],
      ['a == "x\\n"', 8, 'unsupported escape "\\n" in string; only \\", \\\' and \\\\ are allowed'],
      ['a == "unterminated', 6, 'the string starting here has no closing "'],
      ["a == 'unterminated", 6, "the string starting here has no closing '"],
      ['not a == 1', 1, '"not" applies only to the operand right after it; write not (…) around the whole comparison'],
      ['x and not b in (1)', 7, '"not" applies only'],
      ['', 1, 'but found the end of the filter'],
      ['a == @', 6, 'but found "@"'],
      ['a ~= 1', 3, 'but found "~"'],
    ])('%j at column %d', (filter, column, problem) => {
      const message = rejection(filter);
      expect(message.startsWith(`Invalid filter at column ${column}: `)).toBe(true);
      expect(message).toContain(problem);
    });
  });

  describe('limits', () => {
    it(`rejects a filter longer than ${FILTER_LIMITS.maxLength} characters before parsing it`, () => {
      expect(rejection(`a == "${'x'.repeat(10_000)}"`)).toBe('filter is too long (max 2000 characters)');
      expect(rejection('('.repeat(5_000) + 'a == 1' + ')'.repeat(5_000))).toBe(
        'filter is too long (max 2000 characters)',
      );
    });

    it('accepts a filter of exactly the maximum length', () => {
      const filter = `a == "${'x'.repeat(FILTER_LIMITS.maxLength - 7)}"`;
      expect(filter).toHaveLength(FILTER_LIMITS.maxLength);
      expect(() => parseFilter(filter)).not.toThrow();
    });

    it(`rejects nesting deeper than ${FILTER_LIMITS.maxDepth} levels, pointing at the level that is too deep`, () => {
      // Depth counts the comparison and its operands too: 30 brackets of `not` + comparison + operand = 32.
      expect(() => parseFilter('!('.repeat(30) + 'a == 1' + ')'.repeat(30))).not.toThrow();
      const message = rejection('!('.repeat(31) + 'a == 1' + ')'.repeat(31));
      expect(message).toBe('Invalid filter at column 63: the expression is nested too deeply (max 32 levels)');
    });

    it('survives pathological input within the length limit without exhausting the stack', () => {
      // Redundant brackets add no level to the tree, so they parse to the plain comparison.
      expect(parsed('('.repeat(990) + 'a == 1' + ')'.repeat(990))).toBe('eq(a, 1)');
      expect(rejection('!'.repeat(1999) + 'a')).toBe(
        'Invalid filter at column 33: the expression is nested too deeply (max 32 levels)',
      );
    });

    it(`rejects more than ${FILTER_LIMITS.maxNodes} parts`, () => {
      const parts = (count: number) => Array.from({ length: count }, (_, index) => `a == ${index}`).join(' or ');
      expect(() => parseFilter(parts(33))).not.toThrow(); // 1 + 33 × 3 = 100 nodes
      expect(rejection(parts(34))).toMatch(
        /^Invalid filter at column \d+: the filter has too many parts \(max 100\); combine equality tests on one field into an "in" list/,
      );
    });

    it(`rejects an in list of more than ${FILTER_LIMITS.maxInListValues} values`, () => {
      const list = (count: number) =>
        `x == 1 and a in (${Array.from({ length: count }, (_, index) => index).join(',')})`;
      expect(() => parseFilter(list(200))).not.toThrow();
      expect(rejection(list(201))).toBe('Invalid filter at column 12: the "in" list has 201 values (max 200)');
    });
  });
});
