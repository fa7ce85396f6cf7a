import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfiguration } from '../config/configuration';
import { dataSourceOptions } from './data-source-options';

describe('dataSourceOptions', () => {
  const options = (env: Record<string, string>) => {
    const config = loadConfiguration({ DATA_DIR: mkdtempSync(join(tmpdir(), 'data-source-spec-')), ...env });
    return dataSourceOptions(config, 'postgres://127.0.0.1/licensing', []) as { extra: Record<string, unknown> };
  };

  it("hands the pool's size and the connections it keeps while idle to pg-pool", () => {
    expect(options({}).extra).toMatchObject({ max: 10, min: 10 });
    expect(options({ DATABASE_POOL_SIZE: '6', DATABASE_POOL_MIN: '2' }).extra).toMatchObject({ max: 6, min: 2 });
  });
});
