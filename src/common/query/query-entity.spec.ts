import { defineQueryEntity } from './query-entity';

describe('defineQueryEntity', () => {
  it('takes the public name as the entity property unless one is given', () => {
    const entity = defineQueryEntity({
      name: 'Key',
      fields: { id: { type: 'number' }, key: { property: 'keyHint', type: 'string' } },
      relations: { owner: { target: () => entity } },
    });
    expect(entity.fields.id.property).toBe('id');
    expect(entity.fields.key.property).toBe('keyHint');
    expect(entity.relations!.owner.property).toBe('owner');
  });

  it('refuses a whitelist without its id field or with a name declared twice', () => {
    expect(() => defineQueryEntity({ name: 'X', fields: { name: { type: 'string' } } })).toThrow(/id field "id"/);
    expect(() => defineQueryEntity({ name: 'X', fields: { id: { type: 'number' }, Id: { type: 'number' } } })).toThrow(
      /declared twice/,
    );
  });
});

describe('parseInclude with readArea', () => {
  const { parseInclude } = jest.requireActual<typeof import('./query-compiler')>('./query-compiler');
  const { Role } = jest.requireActual<typeof import('../auth/access')>('../auth/access');
  const order = defineQueryEntity({ name: 'Order', fields: { id: { type: 'number' } } });
  const license = defineQueryEntity({
    name: 'License',
    fields: { id: { type: 'number' } },
    relations: { order: { target: () => order, readArea: 'commerce' } },
  });

  it('embeds a relation only for readers of its area', () => {
    expect(parseInclude(license, 'Order', { roles: [Role.Sales] })).toEqual(['order']);
    expect(() => parseInclude(license, 'Order', { roles: [Role.LicenseManager] })).toThrow(
      /include=order .* needs one of: Administrator, Sales/,
    );
  });

  it('refuses to decide without the reader', () => {
    expect(() => parseInclude(license, 'order')).toThrow(/needs the reader's roles/);
  });
});
