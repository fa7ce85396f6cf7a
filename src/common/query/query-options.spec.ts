import { HttpStatus } from '@nestjs/common';
import { ErrorCode } from '../errors';
import { ApiQueryOptions, QueryOptionsPipe } from './query-options';
import { apiErrorOf } from './testing/api-error';

/** Where @ApiQuery stores parameters; @nestjs/swagger does not export its constants. */
const SWAGGER_PARAMETERS_KEY = 'swagger/apiParameters';

const pipe = new QueryOptionsPipe();
const transform = (query: Record<string, unknown>) => pipe.transform(query);

function rejection(query: Record<string, unknown>, code = ErrorCode.InvalidQueryOption): string {
  const error = apiErrorOf(() => transform(query));
  expect(error.getStatus()).toBe(HttpStatus.BAD_REQUEST);
  expect(error.errorCode).toBe(code);
  return error.message;
}

describe('QueryOptionsPipe', () => {
  it('reads withTotal and cursor, and refuses what contradicts them', () => {
    expect(transform({ WithTotal: 'false', cursor: 'abc.def' })).toEqual({
      take: 100,
      skip: 0,
      withTotal: false,
      cursor: 'abc.def',
    });
    expect(transform({ withTotal: 'true' }).withTotal).toBe(true);
    expect(rejection({ withTotal: 'no' })).toBe('withTotal must be true or false');
    expect(rejection({ cursor: 'abc.def', skip: '0' }, ErrorCode.CursorWithSkip)).toMatch(/leave out skip/);
    expect(rejection({ cursor: 'abc.def', skip: '20' }, ErrorCode.CursorWithSkip)).toMatch(/cannot be combined/);
    expect(rejection({ countOnly: 'true', withTotal: 'false' })).toMatch(/drop one of them/);
    expect(rejection({ cursor: 'a'.repeat(2001) }, ErrorCode.InvalidCursor)).toMatch(/cursor is malformed/);
  });

  it('applies defaults when nothing is given', () => {
    expect(transform({})).toEqual({ take: 100, skip: 0 });
    expect(pipe.transform(undefined)).toEqual({ take: 100, skip: 0 });
  });

  it('reads every option, with option names in any case', () => {
    expect(
      transform({
        Filter: 'Level == "Warning"',
        SORT: 'createdAt desc',
        select: 'id,level',
        include: 'customer',
        Take: '25',
        skip: '50',
        countonly: 'TRUE',
      }),
    ).toEqual({
      filter: 'Level == "Warning"',
      sort: 'createdAt desc',
      select: 'id,level',
      include: 'customer',
      take: 25,
      skip: 50,
      countOnly: true,
    });
  });

  it("passes an endpoint's own parameters through untouched", () => {
    expect(transform({ roles: 'Admin', licenseId: '7', take: '5' })).toEqual({
      roles: 'Admin',
      licenseId: '7',
      take: 5,
      skip: 0,
    });
  });

  it('treats empty parameters as not given', () => {
    expect(transform({ filter: '', take: '', skip: '', countOnly: '' })).toEqual({ take: 100, skip: 0 });
  });

  it('accepts the bounds of take and skip', () => {
    expect(transform({ take: '0', skip: '2147483647' })).toMatchObject({ take: 0, skip: 2147483647 });
    expect(transform({ take: '1000' })).toMatchObject({ take: 1000 });
    expect(transform({ countOnly: 'false' })).toMatchObject({ countOnly: false });
  });

  it.each([
    [{ take: 'ten' }, 'take must be a whole number from 0 to 1000'],
    [{ take: '-1' }, 'take must be a whole number from 0 to 1000'],
    [{ take: '2.5' }, 'take must be a whole number from 0 to 1000'],
    [{ take: '1001' }, 'take must be at most 1000'],
    [{ skip: 'x' }, 'skip must be a whole number from 0 to 2147483647'],
    [{ skip: '2147483648' }, 'skip must be at most 2147483647'],
    [{ countOnly: 'yes' }, 'countOnly must be true or false'],
    [{ take: ['1', '2'] }, 'take may be given only once'],
    [{ take: '1', TAKE: '2' }, 'take may be given only once'],
    [{ sort: 'x'.repeat(1001) }, 'sort is too long (max 1000 characters)'],
    [{ select: { nested: 'object' } }, 'select must be text'],
  ])('rejects %j', (query, message) => {
    expect(rejection(query)).toBe(message);
  });

  it('rejects an over-long filter with the filter error code', () => {
    expect(rejection({ filter: 'a'.repeat(2001) }, ErrorCode.InvalidFilter)).toBe(
      'filter is too long (max 2000 characters)',
    );
  });
});

describe('ApiQueryOptions', () => {
  function documentedParameters(decorator: MethodDecorator) {
    class Controller {
      list() {}
    }
    const descriptor = Object.getOwnPropertyDescriptor(Controller.prototype, 'list')!;
    decorator(Controller.prototype, 'list', descriptor);
    const parameters: Array<{ name: string; in: string; required: boolean; type: unknown }> = Reflect.getMetadata(
      SWAGGER_PARAMETERS_KEY,
      descriptor.value,
    );
    return parameters.map(({ name, in: location, required, type }) => ({ name, location, required, type }));
  }

  it('documents select, filter, include, sort, take and skip by default, and withTotal and cursor always', () => {
    const parameters = documentedParameters(ApiQueryOptions());
    expect(parameters.map((parameter) => parameter.name).sort()).toEqual([
      'cursor',
      'filter',
      'include',
      'select',
      'skip',
      'sort',
      'take',
      'withTotal',
    ]);
    expect(parameters.every((parameter) => parameter.location === 'query' && parameter.required === false)).toBe(true);
    expect(parameters.find((parameter) => parameter.name === 'take')?.type).toBe(Number);
  });

  it('documents only the options an endpoint names, plus withTotal and cursor', () => {
    const parameters = documentedParameters(ApiQueryOptions('filter', 'countOnly'));
    expect(parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'filter', type: String }),
        expect.objectContaining({ name: 'countOnly', type: Boolean }),
        expect.objectContaining({ name: 'withTotal', type: Boolean }),
        expect.objectContaining({ name: 'cursor', type: String }),
      ]),
    );
    expect(parameters).toHaveLength(4);
  });
});
