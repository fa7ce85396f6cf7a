import { copyPresent, toDateOrNull } from './copy-present';

interface Row {
  name: string | null;
  notes: string | null;
  active: boolean;
  due: Date | null;
}

const row = (): Row => ({ name: 'kept', notes: 'kept', active: true, due: new Date('2024-01-01T00:00:00Z') });

describe('copyPresent', () => {
  it('writes present members, clears null ones and keeps absent ones', () => {
    const target = row();
    copyPresent(target, { name: 'new', notes: null } as Partial<Row>, ['name', 'notes', 'active']);
    expect(target).toEqual({ ...row(), name: 'new', notes: null });
  });

  it('keeps the value on null with nullKeeps, but writes false', () => {
    const target = row();
    copyPresent(target, { active: null } as { active?: boolean | null }, ['active'], { nullKeeps: true });
    expect(target.active).toBe(true);
    copyPresent(target, { active: false }, ['active'], { nullKeeps: true });
    expect(target.active).toBe(false);
  });

  it('converts present values only', () => {
    const target = row();
    copyPresent(target, { due: '2025-02-03T04:05:06Z' } as { due?: string | null }, ['due'], { convert: toDateOrNull });
    expect(target.due).toEqual(new Date('2025-02-03T04:05:06Z'));
    copyPresent(target, {} as { due?: string | null }, ['due'], { convert: toDateOrNull });
    expect(target.due).toEqual(new Date('2025-02-03T04:05:06Z'));
    copyPresent(target, { due: null } as { due?: string | null }, ['due'], { convert: toDateOrNull });
    expect(target.due).toBeNull();
  });
});
