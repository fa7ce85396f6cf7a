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
    expect(() => defineQueryEntity({ name: 'X', fields: { id: { type: 'number' }, Id: { type: 'number' } } })).toThrow(/declared twice/);
  });
});
