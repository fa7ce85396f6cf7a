import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SettingsService } from '../settings/settings.service';
import { DatabaseLogService } from './database-log.service';
import { LogRepository } from './log.repository';
import { renderMessageTemplate } from './message-template';

/** A database that can be switched off, recording each INSERT's row count and its rows' values one after another. */
function fakeDatabase() {
  const state = { down: false, inserts: [] as Array<{ rows: number; values: unknown[] }>, minimumLevel: 'Information' };
  const dataSource = {
    query: jest.fn(async (sql: string, columns: unknown[][]) => {
      if (state.down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      expect(sql).toMatch(/^INSERT INTO log_entries .* SELECT \* FROM unnest\(/s);
      const rows = columns[0].length;
      state.inserts.push({
        rows,
        values: Array.from({ length: rows }, (_, row) => columns.map((column) => column[row])).flat(),
      });
      return [];
    }),
  } as unknown as DataSource;
  const settings = {
    get: jest.fn(async () => {
      if (state.down) throw new Error('database down');
      return state.minimumLevel;
    }),
  } as unknown as SettingsService;
  return { state, dataSource, settings };
}

describe('DatabaseLogService', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));

  it('writes a burst with one multi-row INSERT per batch', async () => {
    const { state, dataSource, settings } = fakeDatabase();
    const log = new DatabaseLogService(new LogRepository(dataSource), settings);
    log.limits = { ...log.limits, batchSize: 50, flushThreshold: 1000 };
    for (let index = 0; index < 120; index++) log.information('Call {Index}', { Index: index });
    expect(state.inserts).toHaveLength(0);
    await log.flush();
    expect(state.inserts.map((insert) => insert.rows)).toEqual([50, 50, 20]);
    expect(state.inserts[0].values.slice(1, 4)).toEqual([2, 'Call 0', 'Call {Index}']);
    expect(log.pendingCount).toBe(0);
  });

  it('never throws while the database is down, keeps a bounded buffer and reports what it dropped', async () => {
    const { state, dataSource, settings } = fakeDatabase();
    const log = new DatabaseLogService(new LogRepository(dataSource), settings);
    log.limits = { ...log.limits, capacity: 100, flushThreshold: 1000 };
    state.down = true;
    const started = Date.now();
    for (let index = 0; index < 250; index++)
      expect(() => log.warning('Entry {Index}', { Index: index })).not.toThrow();
    await log.flush();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(log.pendingCount).toBe(100);
    expect(log.droppedCount).toBe(150);

    state.down = false;
    await log.flush();
    expect(log.pendingCount).toBe(0);
    expect(log.droppedCount).toBe(0);
    const written = state.inserts.flatMap((insert) => insert.values.filter((_, index) => index % 6 === 2));
    // The newest 100 survive, in order, then the note about the 150 dropped.
    expect(written[0]).toBe('Entry 150');
    expect(written[99]).toBe('Entry 249');
    expect(written[100]).toMatch(/^Dropped 150 log entries/);
  });

  it('applies the minimum level at flush time and survives unserialisable properties', async () => {
    const { state, dataSource, settings } = fakeDatabase();
    const log = new DatabaseLogService(new LogRepository(dataSource), settings);
    state.minimumLevel = 'Error';
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    log.information('kept out');
    log.write('Fatal', 'Crash {Thing}', { Thing: circular }, new Error('boom'));
    await log.flush();
    expect(state.inserts).toHaveLength(1);
    const values = state.inserts[0].values;
    expect(values[1]).toBe(5);
    expect(values[4]).toMatch(/^Error: boom/);
  });

  it('stores BigInt properties as their digits and plain properties as JSON', async () => {
    const { state, dataSource, settings } = fakeDatabase();
    const log = new DatabaseLogService(new LogRepository(dataSource), settings);
    log.information('Counted {Count}', { Count: 12345678901234567890n, Name: 'a' });
    log.information('Named {Name}', { Name: 'b', Nested: { Value: 1 } });
    await log.flush();
    const properties = state.inserts[0].values.filter((_, index) => index % 6 === 5);
    expect(properties.map((text) => JSON.parse(text as string))).toEqual([
      { Count: '12345678901234567890', Name: 'a' },
      { Name: 'b', Nested: { Value: 1 } },
    ]);
  });

  it('starts a flush on its own once the threshold is reached and stops its timer on destroy', async () => {
    const { state, dataSource, settings } = fakeDatabase();
    const log = new DatabaseLogService(new LogRepository(dataSource), settings);
    log.limits = { ...log.limits, flushThreshold: 10 };
    log.onApplicationBootstrap();
    for (let index = 0; index < 10; index++) log.information('x');
    await new Promise((resolve) => setImmediate(resolve));
    await log.flush();
    expect(state.inserts[0].rows).toBe(10);
    log.information('last');
    await log.onModuleDestroy();
    expect(state.inserts.at(-1)!.values[2]).toBe('last');
  });
});

describe('renderMessageTemplate', () => {
  it('fills holes, formats decimals and leaves unknown holes as written', () => {
    expect(
      renderMessageTemplate('HTTP {Method} {Path} in {Elapsed:0.00} ms {Missing}', {
        Method: 'GET',
        Path: '/v1/log',
        Elapsed: 1.23456,
      }),
    ).toBe('HTTP GET /v1/log in 1.23 ms {Missing}');
    expect(renderMessageTemplate('{A} {B}', { A: null, B: { c: 1 } })).toBe('null {"c":1}');
    // The parsed template is reused: other values, same holes; edges and adjacent holes keep their text.
    expect(
      renderMessageTemplate('HTTP {Method} {Path} in {Elapsed:0.00} ms {Missing}', {
        Method: 'POST',
        Path: '/v1/x',
        Elapsed: 2,
      }),
    ).toBe('HTTP POST /v1/x in 2.00 ms {Missing}');
    expect(renderMessageTemplate('{A}{B}', { A: 1, B: 'b' })).toBe('1b');
    expect(renderMessageTemplate('no holes', { A: 1 })).toBe('no holes');
    expect(renderMessageTemplate('{Elapsed:0.0000} {Elapsed:N2}', { Elapsed: 1.5 })).toBe('1.5000 1.5');
    expect(renderMessageTemplate('{ not a hole } {1x}', {})).toBe('{ not a hole } {1x}');
  });
});
