import { DataSource, QueryFailedError } from 'typeorm';
import {
  AUDIT_PARAMETERS_PER_ROW,
  LICENSE_COLUMNS,
  LicenseInsertBatcher,
  LicenseRowParameters,
} from './license-insert-batcher';

interface Statement {
  name: string;
  rows: string[];
  finish: () => void;
}

/**
 * A stand-in for the database: each statement waits until the test finishes it, then "inserts" the
 * rows whose license id and user key are not taken yet, like ON CONFLICT DO NOTHING RETURNING.
 */
function fakeDatabase(options: { taken?: string[]; failWhen?: (licenseIds: string[]) => boolean } = {}) {
  const statements: Statement[] = [];
  const taken = new Set(options.taken ?? []);
  let nextId = 1;
  const client = {
    query: ({ name, values }: { name: string; values: unknown[] }) => {
      // Each row's license columns, then each row's license id and audit columns.
      const count = values.length / (LICENSE_COLUMNS.length + AUDIT_PARAMETERS_PER_ROW);
      expect(name).toBe(`licensing_insert_licenses_${count}`);
      const rows = Array.from({ length: count }, (_, row) =>
        values.slice(row * LICENSE_COLUMNS.length, (row + 1) * LICENSE_COLUMNS.length),
      );
      const audits = values.slice(count * LICENSE_COLUMNS.length);
      expect(rows.map((_, row) => audits[row * AUDIT_PARAMETERS_PER_ROW])).toEqual(rows.map((row) => row[0]));
      const licenseIds = rows.map((row) => row[0] as string);
      return new Promise<{ rows: Array<{ id: number; license_id: string }> }>((resolve, reject) => {
        statements.push({
          name,
          rows: licenseIds,
          finish: () => {
            if (options.failWhen?.(licenseIds))
              return reject(
                Object.assign(new Error('insert or update violates foreign key constraint'), { code: '23503' }),
              );
            const inserted = rows.filter((row) => !taken.has(row[0] as string) && !taken.has(row[11] as string));
            for (const row of inserted) taken.add(row[0] as string).add(row[11] as string);
            resolve({ rows: inserted.map((row) => ({ id: nextId++, license_id: row[0] as string })) });
          },
        });
      });
    },
  };
  const dataSource = {
    createQueryRunner: () => ({ connect: async () => client, release: async () => undefined }),
  } as unknown as DataSource;
  return { dataSource, statements };
}

function row(licenseId: string, userKey = `key-${licenseId}`): LicenseRowParameters {
  const values = LICENSE_COLUMNS.map(() => null as unknown);
  values[0] = licenseId;
  values[11] = userKey;
  return { licenseId, userKey, values, audit: Array.from({ length: AUDIT_PARAMETERS_PER_ROW - 1 }, () => null) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('LicenseInsertBatcher', () => {
  it('inserts a lone row at once and gathers the rows that arrive while two statements run into the next one', async () => {
    const { dataSource, statements } = fakeDatabase();
    const batcher = new LicenseInsertBatcher(dataSource);
    const first = batcher.insert(row('a'));
    const second = batcher.insert(row('b'));
    const waiting = ['c', 'd', 'e'].map((id) => batcher.insert(row(id)));
    await settle();
    expect(statements.map((statement) => statement.rows)).toEqual([['a'], ['b']]);
    statements[0].finish();
    await settle();
    expect(statements[2]).toMatchObject({ name: 'licensing_insert_licenses_3', rows: ['c', 'd', 'e'] });
    statements[1].finish();
    statements[2].finish();
    expect(await Promise.all([first, second, ...waiting])).toEqual([1, 2, 3, 4, 5]);
  });

  it('answers undefined for a row whose license id or user key is taken, and keeps rows sharing a key in separate statements', async () => {
    const { dataSource, statements } = fakeDatabase({ taken: ['taken', 'used-key'] });
    const batcher = new LicenseInsertBatcher(dataSource);
    void batcher.insert(row('x'));
    void batcher.insert(row('y'));
    const results = [
      batcher.insert(row('taken')),
      batcher.insert(row('fresh', 'used-key')),
      batcher.insert(row('twin', 'k')),
      batcher.insert(row('twin', 'k2')),
      batcher.insert(row('other', 'k')),
    ];
    await settle();
    statements[0].finish();
    await settle();
    expect(statements[2].rows).toEqual(['taken', 'fresh', 'twin']);
    statements[1].finish();
    statements[2].finish();
    await settle();
    // The second "twin" and "other" (user key k) could not share the first statement.
    expect(statements[3].rows).toEqual(['twin', 'other']);
    statements[3].finish();
    const [taken, fresh, twin, twinAgain, other] = await Promise.all(results);
    expect({ taken, fresh, twinAgain, other }).toEqual({
      taken: undefined,
      fresh: undefined,
      twinAgain: undefined,
      other: undefined,
    });
    expect(twin).toEqual(expect.any(Number));
  });

  it('tries the rows of a failed statement one by one, so only the row at fault fails', async () => {
    const { dataSource, statements } = fakeDatabase({ failWhen: (ids) => ids.includes('bad') });
    const batcher = new LicenseInsertBatcher(dataSource);
    void batcher.insert(row('p'));
    void batcher.insert(row('q'));
    const good = batcher.insert(row('good'));
    const bad = batcher.insert(row('bad')).then(
      () => 'inserted',
      (error: unknown) => error,
    );
    await settle();
    statements[0].finish();
    statements[1].finish();
    await settle();
    statements[2].finish();
    for (let i = 0; i < 4; i++) {
      await settle();
      statements
        .filter((statement) => statement.rows.length === 1 && ['good', 'bad'].includes(statement.rows[0]))
        .forEach((statement) => statement.finish());
    }
    await expect(good).resolves.toEqual(expect.any(Number));
    expect(await bad).toBeInstanceOf(QueryFailedError);
  });
});
