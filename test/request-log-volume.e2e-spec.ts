import { DataSource } from 'typeorm';
import { DatabaseLogService } from '../src/modules/log/database-log.service';
import { TestContext, bearer, unique } from './support/app';
import { createLicense, startLicensingTestApp } from './support/licensing';

/**
 * Application.RequestLogVolume and Application.RequestLogClientSampleRate: each setting writes the request rows it
 * promises and no others. Every request of a step carries its own X-Request-Id, and the rows are found by it.
 */
describe('Request log volume', () => {
  let ctx: TestContext;
  let admin: Record<string, string>;
  let userKey: string;
  let seatToken: string;

  beforeAll(async () => {
    let key: { id: number };
    ({ ctx, key } = await startLicensingTestApp());
    admin = bearer(ctx.adminToken);
    const license = await createLicense(ctx, {
      signatureKeysId: key.id,
      licensingMode: 2,
      maxAllowedSites: 2,
      licenseeName: 'Log Volume',
    });
    userKey = license.userKey;
    const seat = await ctx.http
      .post('/v1/license/floating/request')
      .send({ userKey, clientId: 'log-volume' })
      .expect(200);
    seatToken = seat.body.licenseToken;
  });
  afterAll(() => ctx.close());

  async function configure(volume: string, clientSampleRate: number): Promise<void> {
    await ctx.http
      .put('/v1/settings')
      .set(admin)
      .send({
        settings: [
          { group: 'Application', name: 'RequestLogVolume', value: volume },
          { group: 'Application', name: 'RequestLogClientSampleRate', value: clientSampleRate },
        ],
      })
      .expect(200);
  }

  /** One of each kind of call: a read, a write, a refused read, client successes and a client refusal. */
  async function mixedCalls(prefix: string, clientSuccesses: number): Promise<void> {
    let n = 0;
    const id = () => ({ 'x-request-id': `${prefix}-${++n}` });
    await ctx.http.get('/v1/settings').query({ group: 'Licensing' }).set(admin).set(id()).expect(200);
    await ctx.http
      .post('/v1/customers')
      .set(admin)
      .set(id())
      .send({ customer: { firstName: 'Ada', lastName: 'Lovelace', company: unique('Engines') } })
      .expect(200);
    await ctx.http.get('/v1/licenses/2147483000').set(admin).set(id()).expect(404);
    for (let i = 0; i < clientSuccesses; i++)
      await ctx.http
        .post('/v1/license/validate')
        .set(id())
        .send({ userKey, licenseToken: seatToken, clientId: 'log-volume' })
        .expect(200);
    await ctx.http.post('/v1/license/heartbeat').set(id()).send({ licenseToken: seatToken }).expect(200);
    await ctx.http.post('/v1/license/validate').set(id()).send({ userKey: 'NO-SUCH-USER-KEY' }).expect(404);
  }

  /**
   * The rows written for the step's requests, as "METHOD path status", sorted. A refused call is logged in every
   * volume, so the last request of the step (a 404) marks the point where every earlier row has been handed over.
   */
  async function rowsOf(prefix: string): Promise<string[]> {
    await ctx.http
      .get('/v1/no-such-route')
      .set({ 'x-request-id': `${prefix}-end` })
      .expect(404);
    const db = ctx.app.get(DataSource);
    const log = ctx.app.get(DatabaseLogService);
    type Row = Record<string, string | number>;
    const read = async (): Promise<Row[]> => {
      const found: Array<{ properties: string }> = await db.query(
        `SELECT properties FROM log_entries WHERE properties LIKE $1`,
        [`%"RequestId":"${prefix}-%`],
      );
      return found.map((row) => JSON.parse(row.properties) as Row);
    };
    let rows = await read();
    for (let attempt = 0; attempt < 50 && !rows.some((row) => row.RequestId === `${prefix}-end`); attempt++) {
      await log.flush();
      rows = await read();
      if (!rows.some((row) => row.RequestId === `${prefix}-end`)) await new Promise((done) => setTimeout(done, 20));
    }
    expect(rows.some((row) => row.RequestId === `${prefix}-end`)).toBe(true);
    return rows
      .filter((row) => row.RequestId !== `${prefix}-end`)
      .map((row) => `${row.RequestMethod} ${row.RequestPath} ${row.StatusCode}`)
      .sort();
  }

  const READ = 'GET /v1/settings 200';
  const WRITE = 'POST /v1/customers 200';
  const REFUSED = 'GET /v1/licenses/2147483000 404';
  const VALIDATE = 'POST /v1/license/validate 200';
  const HEARTBEAT = 'POST /v1/license/heartbeat 200';
  const CLIENT_REFUSED = 'POST /v1/license/validate 404';
  const sorted = (rows: string[]) => [...rows].sort();

  it('defaults to every call, with one successful client API call in a hundred', async () => {
    const settings = await ctx.http.get('/v1/settings').query({ group: 'Application' }).set(admin).expect(200);
    const value = (name: string) =>
      settings.body.settings.find((setting: { name: string }) => setting.name === name)?.value;
    expect(value('RequestLogVolume')).toBe('All');
    expect(value('RequestLogClientSampleRate')).toBe(0.01);
  });

  it('All with rate 1 writes every call', async () => {
    await configure('All', 1);
    const prefix = unique('all');
    await mixedCalls(prefix, 2);
    expect(await rowsOf(prefix)).toEqual(sorted([READ, WRITE, REFUSED, VALIDATE, VALIDATE, HEARTBEAT, CLIENT_REFUSED]));
  });

  it('WritesAndErrors leaves out successful reads and keeps writes, client calls (POST) and refusals', async () => {
    await configure('WritesAndErrors', 1);
    const prefix = unique('writes');
    await mixedCalls(prefix, 2);
    expect(await rowsOf(prefix)).toEqual(sorted([WRITE, REFUSED, VALIDATE, VALIDATE, HEARTBEAT, CLIENT_REFUSED]));
  });

  it('ErrorsOnly writes the refused calls and nothing else', async () => {
    await configure('ErrorsOnly', 1);
    const prefix = unique('errors');
    await mixedCalls(prefix, 2);
    expect(await rowsOf(prefix)).toEqual(sorted([REFUSED, CLIENT_REFUSED]));
  });

  it('rate 0 leaves out every successful client API call, never its refusals nor the other calls', async () => {
    await configure('All', 0);
    const prefix = unique('rate0');
    await mixedCalls(prefix, 3);
    expect(await rowsOf(prefix)).toEqual(sorted([READ, WRITE, REFUSED, CLIENT_REFUSED]));
  });

  it('rate 0.25 writes exactly one successful client API call in four', async () => {
    await configure('All', 0.25);
    const prefix = unique('quarter');
    // 7 validations and the heartbeat: the 4th and the 8th successful client calls are written.
    await mixedCalls(prefix, 7);
    expect(await rowsOf(prefix)).toEqual(sorted([READ, WRITE, REFUSED, VALIDATE, HEARTBEAT, CLIENT_REFUSED]));
  });

  it('the default rate writes one heartbeat of a hundred', async () => {
    await configure('All', 0.01);
    const prefix = unique('fleet');
    for (let i = 1; i <= 150; i++)
      await ctx.http
        .post('/v1/license/heartbeat')
        .set({ 'x-request-id': `${prefix}-${i}` })
        .send({ licenseToken: seatToken })
        .expect(200);
    expect(await rowsOf(prefix)).toEqual([HEARTBEAT]);
  });
});
