import { ApiException } from '../errors';
import { listPage } from './list-page';
import { defineQueryEntity } from './query-entity';

const ITEM_QUERY = defineQueryEntity({
  name: 'Item',
  fields: { id: { type: 'number' }, name: { type: 'string' }, price: { type: 'number' } },
  relations: { parts: { target: () => ITEM_QUERY, many: true } },
});

interface ItemDto {
  id?: number;
  name?: string;
  price?: number;
  parts?: string[];
}

const rows = [
  { id: 1, name: 'one', price: 10 },
  { id: 2, name: 'two', price: 20 },
];

describe('listPage', () => {
  it('keeps the selected members and the included relations, in canonical names', async () => {
    const read = jest.fn().mockResolvedValue({ items: rows, total: 7, nextCursor: 'next' });
    const page = await listPage<(typeof rows)[number], ItemDto>(
      ITEM_QUERY,
      { select: 'NAME', include: 'Parts' },
      {
        read,
        toDtos: (items, include) =>
          items.map((item) => ({ ...item, parts: include.map((name) => `${name}${item.id}`) })),
      },
    );
    expect(read).toHaveBeenCalledWith({ select: ['name'], include: ['parts'] });
    expect(page).toEqual({
      items: [
        { name: 'one', parts: ['parts1'] },
        { name: 'two', parts: ['parts2'] },
      ],
      total: 7,
      nextCursor: 'next',
    });
  });

  it('answers every member when nothing is selected', async () => {
    const page = await listPage(
      ITEM_QUERY,
      {},
      {
        read: async () => ({ items: rows, total: 2, nextCursor: null }),
        toDtos: (items) => items.map((item) => ({ ...item })),
      },
    );
    expect(page.items).toEqual(rows);
  });

  it('refuses an unknown select or include before reading anything', async () => {
    const read = jest.fn();
    await expect(listPage(ITEM_QUERY, { select: 'colour' }, { read, toDtos: () => [] })).rejects.toBeInstanceOf(
      ApiException,
    );
    await expect(listPage(ITEM_QUERY, { include: 'owner' }, { read, toDtos: () => [] })).rejects.toThrow(
      'Unknown relation "owner" in include',
    );
    expect(read).not.toHaveBeenCalled();
  });
});
