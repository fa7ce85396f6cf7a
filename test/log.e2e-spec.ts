import { DataSource } from 'typeorm';
import { DatabaseLogService } from '../src/modules/log/database-log.service';
import { LogService } from '../src/modules/log/log.service';
import { TestContext, bearer, createApiKey, createUser, startTestApp, unique } from './support/app';

interface LogEntry {
  id: number;
  level: string;
  message: string;
  messageTemplate: string;
  timeStamp: string;
  exception: string | null;
  properties: string | null;
}

describe('Database log', () => {
  let ctx: TestContext;
  let admin: Record<string, string>;
  let dataSource: DataSource;

  /** Inserts entries with chosen instants straight into the table, for deterministic buckets. */
  async function seed(entries: Array<{ at: string; level: number; message: string }>): Promise<void> {
    for (const entry of entries) {
      await dataSource.query(
        `INSERT INTO log_entries (time_stamp, level, message, message_template, properties) VALUES ($1, $2, $3, $3, '{}')`,
        [entry.at, entry.level, entry.message],
      );
    }
  }

  async function logEntries(
    query: Record<string, string | number>,
  ): Promise<{ logEntries: LogEntry[]; totalLogEntriesCount: number }> {
    const response = await ctx.http.get('/v1/log').query(query).set(admin).expect(200);
    return response.body;
  }

  beforeAll(async () => {
    ctx = await startTestApp();
    admin = bearer(ctx.adminToken);
    dataSource = ctx.app.get(DataSource);
  });
  afterAll(() => ctx.close());

  it('logs every call of a burst with route, principal, status and duration, including refused ones', async () => {
    const user = await createUser(ctx, ['Sales']);
    const burst = await Promise.all([
      ...Array.from({ length: 20 }, () => ctx.http.get('/v1/reports').query({ take: 1 }).set(bearer(user.token))),
      ...Array.from({ length: 5 }, () => ctx.http.delete('/v1/log').query({ deleteAll: true }).set(bearer(user.token))),
    ]);
    expect(burst.filter((response) => response.status === 200)).toHaveLength(20);
    expect(burst.filter((response) => response.status === 403)).toHaveLength(5);

    const logged = await logEntries({
      filter: `Properties.Contains("\\"Principal\\":\\"${user.userName}\\"")`,
      take: 100,
    });
    expect(logged.totalLogEntriesCount).toBe(25);
    const ok = logged.logEntries.filter((entry) => entry.level === 'Information');
    expect(ok).toHaveLength(20);
    const properties = JSON.parse(ok[0].properties!);
    expect(properties).toMatchObject({
      RequestMethod: 'GET',
      RequestPath: '/v1/reports',
      Route: '/v1/reports',
      StatusCode: 200,
      Principal: user.userName,
      PrincipalKind: 'user',
      UserId: user.id,
    });
    expect(typeof properties.Elapsed).toBe('number');
    expect(ok[0].messageTemplate).toBe(
      'HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms',
    );
    expect(ok[0].message).toMatch(/^HTTP GET \/v1\/reports responded 200 in \d+\.\d{4} ms$/);

    const refused = logged.logEntries.filter((entry) => entry.level === 'Warning');
    expect(refused).toHaveLength(5);
    expect(JSON.parse(refused[0].properties!)).toMatchObject({ RequestMethod: 'DELETE', StatusCode: 403 });
    // Newest first by default.
    const stamps = logged.logEntries.map((entry) => entry.timeStamp);
    expect([...stamps].sort().reverse()).toEqual(stamps);
  });

  it('logs anonymous refusals and unknown routes, and records the API key that called', async () => {
    const path = `/v1/${unique('nowhere')}`;
    await ctx.http.get(path).set(admin).expect(404);
    const anonymousPath = `/v1/reports/${Math.floor(Math.random() * 1e9) + 1}`;
    await ctx.http.delete(anonymousPath).expect(401);
    const { key, id } = await createApiKey(ctx, 1);
    await ctx.http.get('/v1/log').query({ take: 0 }).set('x-api-key', key).expect(200);

    const unknown = await logEntries({ filter: `Properties.Contains("${path}")` });
    expect(unknown.totalLogEntriesCount).toBe(1);
    expect(unknown.logEntries[0]).toMatchObject({ level: 'Warning' });
    expect(JSON.parse(unknown.logEntries[0].properties!)).toMatchObject({ StatusCode: 404, RequestMethod: 'GET' });
    const anonymous = await logEntries({ filter: `Properties.Contains("${anonymousPath}\\"")` });
    expect(anonymous.totalLogEntriesCount).toBe(1);
    expect(JSON.parse(anonymous.logEntries[0].properties!)).toMatchObject({
      StatusCode: 401,
      Principal: null,
      Route: '/v1/reports/:reportId',
    });

    const byKey = await logEntries({ filter: `Properties.Contains("\\"ApiKeyId\\":${id},")` });
    expect(byKey.totalLogEntriesCount).toBe(1);
    expect(JSON.parse(byKey.logEntries[0].properties!)).toMatchObject({
      PrincipalKind: 'apiKey',
      Route: '/v1/log',
      StatusCode: 200,
    });
  });

  it('filters by level by name in any case, selects, sorts and pages, and limits by date range', async () => {
    const marker = unique('range');
    await seed([
      { at: '2003-05-01T10:00:00Z', level: 3, message: `${marker} a` },
      { at: '2003-05-02T10:00:00Z', level: 2, message: `${marker} b` },
      { at: '2003-05-03T10:00:00Z', level: 3, message: `${marker} c` },
    ]);
    const warnings = await logEntries({
      filter: `Level = "warning" && Message.StartsWith("${marker}")`,
      sort: 'TimeStamp',
    });
    expect(warnings.logEntries.map((entry) => entry.message)).toEqual([`${marker} a`, `${marker} c`]);
    const atLeastInfo = await logEntries({ filter: `Level >= "Information" && Message.StartsWith("${marker}")` });
    expect(atLeastInfo.totalLogEntriesCount).toBe(3);

    const ranged = await logEntries({
      filter: `Message.StartsWith("${marker}")`,
      startDate: '2003-05-02T00:00:00Z',
      endDate: '2003-05-03T00:00:00Z',
    });
    expect(ranged.logEntries.map((entry) => entry.message)).toEqual([`${marker} b`]);

    const page = await logEntries({
      filter: `Message.StartsWith("${marker}")`,
      select: 'id,level',
      sort: 'timeStamp asc',
      take: 1,
      skip: 1,
    });
    expect(page.totalLogEntriesCount).toBe(3);
    expect(page.logEntries).toHaveLength(1);
    expect(Object.keys(page.logEntries[0]).sort()).toEqual(['id', 'level']);
    expect(page.logEntries[0].level).toBe('Information');

    const badLevel = await ctx.http.get('/v1/log').query({ filter: 'Level = "Loud"' }).set(admin).expect(400);
    expect(badLevel.body.message).toMatch(/Verbose/);
    const badDate = await ctx.http.get('/v1/log').query({ startDate: 'yesterday' }).set(admin).expect(400);
    expect(badDate.body.message).toMatch(/startDate/);
    await ctx.http
      .get('/v1/log')
      .query({ startDate: '2003-05-03T00:00:00Z', endDate: '2003-05-01T00:00:00Z' })
      .set(admin)
      .expect(400);
  });

  describe('levels', () => {
    beforeAll(() =>
      seed([
        { at: '2001-03-10T01:15:00Z', level: 2, message: 'levels' },
        { at: '2001-03-10T01:45:00Z', level: 2, message: 'levels' },
        { at: '2001-03-10T01:50:00Z', level: 4, message: 'levels' },
        { at: '2001-03-10T05:10:00Z', level: 3, message: 'levels' },
        { at: '2001-03-20T12:00:00Z', level: 2, message: 'levels' },
        { at: '2001-07-04T12:00:00Z', level: 5, message: 'levels' },
      ]),
    );

    it('buckets a day by hour', async () => {
      const response = await ctx.http
        .get('/v1/log/levels')
        .query({ startDate: '2001-03-10T00:00:00Z', endDate: '2001-03-10T23:59:59Z' })
        .set(admin)
        .expect(200);
      expect(response.body).toMatchObject({ success: true, groupBy: 'hour', totalLogLevelEntriesCount: 3 });
      expect(response.body.logLevels).toEqual([
        { date: '2001-03-10T01:00:00.000Z', level: 'Information', count: 2 },
        { date: '2001-03-10T01:00:00.000Z', level: 'Error', count: 1 },
        { date: '2001-03-10T05:00:00.000Z', level: 'Warning', count: 1 },
      ]);
    });

    it('buckets a month by day, with or without intervals', async () => {
      for (const intervals of [undefined, 30, 31]) {
        const query = {
          startDate: '2001-03-01T00:00:00Z',
          endDate: '2001-03-31T23:59:59Z',
          ...(intervals ? { intervals } : {}),
        };
        const response = await ctx.http.get('/v1/log/levels').query(query).set(admin).expect(200);
        expect(response.body.groupBy).toBe('day');
        expect(response.body.logLevels).toEqual([
          { date: '2001-03-10T00:00:00.000Z', level: 'Information', count: 2 },
          { date: '2001-03-10T00:00:00.000Z', level: 'Warning', count: 1 },
          { date: '2001-03-10T00:00:00.000Z', level: 'Error', count: 1 },
          { date: '2001-03-20T00:00:00.000Z', level: 'Information', count: 1 },
        ]);
      }
    });

    it('buckets a year by month with 12 intervals and by week with 52, and minutes for an hour', async () => {
      const year = { startDate: '2001-01-01T00:00:00Z', endDate: '2001-12-31T23:59:59Z' };
      const monthly = await ctx.http
        .get('/v1/log/levels')
        .query({ ...year, intervals: 12 })
        .set(admin)
        .expect(200);
      expect(monthly.body.groupBy).toBe('month');
      expect(monthly.body.logLevels).toEqual([
        { date: '2001-03-01T00:00:00.000Z', level: 'Information', count: 3 },
        { date: '2001-03-01T00:00:00.000Z', level: 'Warning', count: 1 },
        { date: '2001-03-01T00:00:00.000Z', level: 'Error', count: 1 },
        { date: '2001-07-01T00:00:00.000Z', level: 'Fatal', count: 1 },
      ]);
      const weekly = await ctx.http
        .get('/v1/log/levels')
        .query({ ...year, intervals: 52 })
        .set(admin)
        .expect(200);
      expect(weekly.body.groupBy).toBe('week');
      // 2001-03-10 is a Saturday: its week starts on Monday the 5th.
      expect(weekly.body.logLevels[0]).toEqual({ date: '2001-03-05T00:00:00.000Z', level: 'Information', count: 2 });
      const minutes = await ctx.http
        .get('/v1/log/levels')
        .query({ startDate: '2001-03-10T01:00:00Z', endDate: '2001-03-10T02:00:00Z', intervals: 60 })
        .set(admin)
        .expect(200);
      expect(minutes.body.groupBy).toBe('minute');
      expect(minutes.body.logLevels.map((row: { date: string }) => row.date)).toEqual([
        '2001-03-10T01:15:00.000Z',
        '2001-03-10T01:45:00.000Z',
        '2001-03-10T01:50:00.000Z',
      ]);
    });

    it('defaults to the last 24 hours and validates intervals', async () => {
      await ctx.http.get('/v1/roles').set(admin).expect(200);
      const recent = await ctx.http.get('/v1/log/levels').set(admin).expect(200);
      expect(recent.body.groupBy).toBe('hour');
      const information = recent.body.logLevels.filter((row: { level: string }) => row.level === 'Information');
      expect(information.reduce((sum: number, row: { count: number }) => sum + row.count, 0)).toBeGreaterThan(0);
      for (const intervals of [0, 1001, 'many']) {
        const bad = await ctx.http.get('/v1/log/levels').query({ intervals }).set(admin).expect(400);
        expect(bad.body.message).toMatch(/intervals/);
      }
    });
  });

  describe('delete', () => {
    it('deletes exactly the entries a filter matches and answers the count', async () => {
      const marker = unique('del');
      await seed([
        { at: '2002-02-01T00:00:00Z', level: 3, message: `${marker} w1` },
        { at: '2002-02-02T00:00:00Z', level: 3, message: `${marker} w2` },
        { at: '2002-02-03T00:00:00Z', level: 2, message: `${marker} i1` },
        { at: '2002-02-04T00:00:00Z', level: 4, message: `${marker} e1` },
      ]);
      const deleted = await ctx.http
        .delete('/v1/log')
        .query({ filter: `Level="Warning" and Message.StartsWith("${marker}")` })
        .set(admin)
        .expect(200);
      expect(deleted.body).toMatchObject({
        success: true,
        deletedLogCount: 2,
        message: 'A total of 2 log entries have been deleted.',
      });
      const left = await logEntries({ filter: `Message.StartsWith("${marker}")`, sort: 'timeStamp' });
      expect(left.logEntries.map((entry) => entry.message)).toEqual([`${marker} i1`, `${marker} e1`]);
    });

    it('deletes by date range, by id, and everything with deleteAll', async () => {
      const marker = unique('del');
      await seed([
        { at: '1999-01-01T00:00:00Z', level: 2, message: `${marker} old` },
        { at: '1999-06-01T00:00:00Z', level: 2, message: `${marker} mid` },
      ]);
      const ranged = await ctx.http
        .delete('/v1/log')
        .query({ startDate: '1998-12-31T00:00:00Z', endDate: '1999-01-02T00:00:00Z' })
        .set(admin)
        .expect(200);
      expect(ranged.body.deletedLogCount).toBe(1);
      const [mid] = (await logEntries({ filter: `Message.StartsWith("${marker}")` })).logEntries;
      expect(mid.message).toBe(`${marker} mid`);
      const byId = await ctx.http.delete('/v1/log').query({ id: mid.id }).set(admin).expect(200);
      expect(byId.body.deletedLogCount).toBe(1);
      await ctx.http.delete('/v1/log').query({ id: mid.id }).set(admin).expect(404);

      await ctx.http.get('/v1/roles').set(admin).expect(200);
      const all = await ctx.http.delete('/v1/log').query({ deleteAll: 'true' }).set(admin).expect(200);
      expect(all.body.deletedLogCount).toBeGreaterThan(0);
      const [{ count }] = await dataSource.query('SELECT count(*)::int AS count FROM log_entries');
      expect(count).toBe(0);
    });

    it('refuses a delete that says nothing, mixes deleteAll with criteria or has a bad filter', async () => {
      const nothing = await ctx.http.delete('/v1/log').set(admin).expect(400);
      expect(nothing.body.message).toMatch(/deleteAll=true/);
      const mixed = await ctx.http
        .delete('/v1/log')
        .query({ deleteAll: true, filter: 'Level = "Error"' })
        .set(admin)
        .expect(400);
      expect(mixed.body.message).toMatch(/deleteAll/);
      const badFilter = await ctx.http.delete('/v1/log').query({ filter: 'Nope == 1' }).set(admin).expect(400);
      expect(badFilter.body.code).toBe(102);
      await ctx.http.delete('/v1/log').query({ id: 'x' }).set(admin).expect(400);
    });
  });

  it('lets LicenseManager and Sales read but only administrators delete', async () => {
    const manager = await createUser(ctx, ['LicenseManager']);
    const sales = await createUser(ctx, ['Sales']);
    const customer = await createUser(ctx, ['Customer']);
    await ctx.http.get('/v1/log').set(bearer(manager.token)).expect(200);
    await ctx.http.get('/v1/log/levels').set(bearer(sales.token)).expect(200);
    await ctx.http.get('/v1/log').set(bearer(customer.token)).expect(403);
    await ctx.http.delete('/v1/log').query({ deleteAll: true }).set(bearer(manager.token)).expect(403);
  });

  it('applies Application.LogMinimumLevel without a restart', async () => {
    const user = await createUser(ctx, ['Sales']);
    const principal = `Properties.Contains("\\"Principal\\":\\"${user.userName}\\"")`;
    try {
      await ctx.http
        .put('/v1/settings')
        .set(admin)
        .send({ settings: [{ group: 'Application', name: 'LogMinimumLevel', value: 'Warning' }] })
        .expect(200);
      await ctx.http.get('/v1/reports').set(bearer(user.token)).expect(200);
      await ctx.http.get('/v1/settings').set(bearer(user.token)).expect(403);
    } finally {
      await ctx.app.get(DatabaseLogService).flush();
      await ctx.http
        .put('/v1/settings')
        .set(admin)
        .send({ settings: [{ group: 'Application', name: 'LogMinimumLevel', value: 'Information' }] })
        .expect(200);
    }
    const logged = await logEntries({ filter: principal });
    expect(logged.logEntries.map((entry) => JSON.parse(entry.properties!).StatusCode)).toEqual([403]);
  });

  it('purges entries older than Application.LogRetentionDays', async () => {
    const marker = unique('purge');
    const day = 86_400_000;
    await seed([
      { at: new Date(Date.now() - 40 * day).toISOString(), level: 2, message: `${marker} old` },
      { at: new Date(Date.now() - 10 * day).toISOString(), level: 2, message: `${marker} recent` },
    ]);
    const purged = await ctx.app.get(LogService).purgeExpired();
    expect(purged).toBeGreaterThanOrEqual(1);
    const left = await logEntries({ filter: `Message.StartsWith("${marker}")` });
    expect(left.logEntries.map((entry) => entry.message)).toEqual([`${marker} recent`]);
  });
});
