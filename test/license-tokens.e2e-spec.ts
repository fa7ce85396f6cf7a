import request from 'supertest';
import { DataSource } from 'typeorm';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../src/bootstrap';
import { LicenseTokensService } from '../src/modules/licenses/license-tokens.service';
import { TraceAction } from '../src/modules/licenses/license-trace.entity';
import { TestContext, bearer, createUser, startTestApp } from './support/app';
import { createLicense, createSignatureKey } from './support/licensing';

describe('License tokens and traces', () => {
  let ctx: TestContext;
  let admin: Record<string, string>;
  let keyId: number;
  let tokens: LicenseTokensService;
  let db: DataSource;
  /** A second instance of the server on the same database, as behind a load balancer. */
  let second: NestFastifyApplication;

  beforeAll(async () => {
    ctx = await startTestApp();
    admin = bearer(ctx.adminToken);
    keyId = (await createSignatureKey(ctx, 'Ed25519')).id;
    tokens = ctx.app.get(LicenseTokensService);
    db = ctx.app.get(DataSource);
    second = await createApp({ logger: ['error', 'fatal'] });
    await second.init();
    await second.getHttpAdapter().getInstance().ready();
  }, 60_000);
  afterAll(async () => {
    await second?.close();
    await ctx.close();
  });

  const license = (extra: Record<string, unknown>) => createLicense(ctx, { signatureKeysId: keyId, ...extra });
  const insertToken = (http: ReturnType<typeof request>, licenseId: number, token: Record<string, unknown> = {}) =>
    http.post(`/v1/licenses/${licenseId}/tokens`).set(admin).send({ licenseToken: token });

  it('fills a 3-seat license with 20 concurrent requests on two instances: exactly 3 tokens, 17 clear 409s', async () => {
    const { licenseId } = await license({ licensingMode: 1, maxAllowedSites: 3 });
    const instances = [request(ctx.app.getHttpServer()), request(second.getHttpServer())];
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => insertToken(instances[i % 2], licenseId, { machineId: `machine-${i}` })),
    );
    const granted = responses.filter((response) => response.status === 200);
    const refused = responses.filter((response) => response.status === 409);
    expect(granted).toHaveLength(3);
    expect(refused).toHaveLength(17);
    for (const response of refused) {
      expect(response.body).toMatchObject({ success: false, code: 503, maxAllowedSites: 3, activeTokens: 3 });
      expect(response.body.message).toMatch(/no free seat: 3 of 3 activations are in use/);
    }
    for (const response of granted)
      expect(response.body).toMatchObject({
        licenseId,
        licenseTokenId: expect.any(Number),
        token: expect.stringMatching(/^actk_[a-z0-9]{12}$/),
      });
    const [{ count }] = await db.query('SELECT count(*)::int AS count FROM license_tokens WHERE license_id = $1', [
      licenseId,
    ]);
    expect(count).toBe(3);
  }, 30_000);

  it('floating seats expire after the heartbeat interval × grace factor; a freed seat can be taken again', async () => {
    const { licenseId } = await license({ licensingMode: 2, maxAllowedSites: 1 });
    const before = Date.now();
    const first = await insertToken(ctx.http, licenseId, {
      clientId: 'c1',
      clientName: 'Workstation',
      address: '10.0.0.1',
    }).expect(200);
    expect(first.body.token).toMatch(/^fltk_[a-z0-9]{12}$/);
    await insertToken(ctx.http, licenseId, { clientId: 'c2' }).expect(409);

    const listed = await ctx.http.get(`/v1/licenses/${licenseId}/tokens`).set(admin).expect(200);
    expect(listed.body).toMatchObject({ licenseTokensCount: 1, totalLicenseTokensCount: 1 });
    const token = listed.body.licenseTokens[0];
    expect(token).toMatchObject({
      id: first.body.licenseTokenId,
      token: first.body.token,
      clientId: 'c1',
      clientName: 'Workstation',
      address: '10.0.0.1',
      licenseId,
    });
    // Defaults: heartbeat every 300 s, grace factor 2.
    const lifetime = Date.parse(token.expireDate) - before;
    expect(lifetime).toBeGreaterThan(595_000);
    expect(lifetime).toBeLessThan(605_000);
    expect(token.lastHeartbeat).not.toBeNull();

    // An expired seat no longer counts.
    await db.query(`UPDATE license_tokens SET expire_date = now() - interval '1 second' WHERE id = $1`, [
      first.body.licenseTokenId,
    ]);
    const second = await insertToken(ctx.http, licenseId, { clientId: 'c2' }).expect(200);
    await ctx.http.delete(`/v1/licenses/${licenseId}/tokens/${second.body.licenseTokenId}`).set(admin).expect(200);
    await ctx.http.delete(`/v1/licenses/${licenseId}/tokens/${second.body.licenseTokenId}`).set(admin).expect(404);
    await insertToken(ctx.http, licenseId, { clientId: 'c3' }).expect(200);
  });

  it('activations: no expiry by default, capped at the license expiry, the same machine gets its token back', async () => {
    const open = await license({ licensingMode: 1, maxAllowedSites: 2 });
    const a = await insertToken(ctx.http, open.licenseId, { machineId: 'M-1' }).expect(200);
    const again = await insertToken(ctx.http, open.licenseId, { machineId: 'M-1' }).expect(200);
    expect(again.body.licenseTokenId).toBe(a.body.licenseTokenId);
    const listed = await ctx.http.get(`/v1/licenses/${open.licenseId}/tokens`).set(admin).expect(200);
    expect(listed.body.totalLicenseTokensCount).toBe(1);
    expect(listed.body.licenseTokens[0]).toMatchObject({ machineId: 'M-1', expireDate: null, lastHeartbeat: null });

    const expireDate = new Date(Date.now() + 3 * 86400_000).toISOString();
    const expiring = await license({ licensingMode: 1, expireDate });
    await insertToken(ctx.http, expiring.licenseId, { machineId: 'M-2' }).expect(200);
    const capped = await ctx.http.get(`/v1/licenses/${expiring.licenseId}/tokens`).set(admin).expect(200);
    expect(capped.body.licenseTokens[0].expireDate).toBe(expireDate);
  });

  it('refuses tokens for file, revoked and expired licenses, and unknown ones', async () => {
    const file = await license({ licensingMode: 0 });
    const wrongMode = await insertToken(ctx.http, file.licenseId).expect(400);
    expect(wrongMode.body).toMatchObject({ success: false, code: 108 });
    const revoked = await license({ licensingMode: 1, revoked: true });
    expect((await insertToken(ctx.http, revoked.licenseId).expect(403)).body.code).toBe(310);
    const expired = await license({ licensingMode: 2, expireDate: '2020-01-01T00:00:00Z' });
    expect((await insertToken(ctx.http, expired.licenseId).expect(403)).body.code).toBe(311);
    await insertToken(ctx.http, 999999).expect(404);
    await ctx.http.get('/v1/licenses/999999/tokens').set(admin).expect(404);
    const live = await license({ licensingMode: 1 });
    const past = await insertToken(ctx.http, live.licenseId, { expireDate: '2020-01-01T00:00:00Z' }).expect(400);
    expect(past.body.message).toMatch(/licenseToken\.expireDate/);
  });

  it('lists every token with filters and countOnly', async () => {
    const { licenseId } = await license({ licensingMode: 1, maxAllowedSites: 5 });
    for (const machine of ['a', 'b', 'c'])
      await insertToken(ctx.http, licenseId, { machineId: `count-${machine}` }).expect(200);
    const counted = await ctx.http
      .get('/v1/license-tokens')
      .query({ filter: `LicenseId == ${licenseId}`, countOnly: true })
      .set(admin)
      .expect(200);
    expect(counted.body).toMatchObject({ licenseTokens: [], licenseTokensCount: 0, totalLicenseTokensCount: 3 });
    const page = await ctx.http
      .get('/v1/license-tokens')
      .query({
        filter: `License.Id == ${licenseId} && MachineId.StartsWith("count-")`,
        sort: 'MachineId desc',
        take: 2,
        select: 'machineId',
      })
      .set(admin)
      .expect(200);
    expect(page.body).toMatchObject({
      licenseTokensCount: 2,
      totalLicenseTokensCount: 3,
      licenseTokens: [{ machineId: 'count-c' }, { machineId: 'count-b' }],
    });
  });

  it('traces: recorded for tracing licenses, listed by licenseId, deleted by traceId, licenseId or filter; none given is a 400', async () => {
    const traced = await license({ licensingMode: 1, trace: true });
    const untraced = await license({ licensingMode: 1 });
    const ids: number[] = [];
    for (const action of [TraceAction.Activate, TraceAction.Validate, TraceAction.Validate, TraceAction.Deactivate]) {
      ids.push(
        (await tokens.recordTrace({ licenseId: traced.licenseId, action, clientIp: '192.0.2.1', machineId: 'M-9' }))!,
      );
    }
    expect(await tokens.recordTrace({ licenseId: untraced.licenseId, action: TraceAction.Activate })).toBeNull();

    const listed = await ctx.http
      .get('/v1/license-traces')
      .query({ licenseId: traced.licenseId, sort: 'Id' })
      .set(admin)
      .expect(200);
    expect(listed.body.totalLicenseTracesCount).toBe(4);
    expect(listed.body.licenseTraces[0]).toMatchObject({
      id: ids[0],
      action: 1,
      clientIp: '192.0.2.1',
      machineId: 'M-9',
      licenseId: traced.licenseId,
    });
    const validations = await ctx.http
      .get('/v1/license-traces')
      .query({ licenseId: traced.licenseId, filter: 'Action == "Validate"' })
      .set(admin)
      .expect(200);
    expect(validations.body.totalLicenseTracesCount).toBe(2);
    await ctx.http.get('/v1/license-traces').query({ licenseId: 'abc' }).set(admin).expect(400);

    const none = await ctx.http.delete('/v1/license-traces').set(admin).send({}).expect(400);
    expect(none.body).toMatchObject({ success: false, code: 106 });
    await ctx.http.delete('/v1/license-traces').set(admin).expect(400);
    await ctx.http.delete('/v1/license-traces').set(admin).send({ traceId: ids[0] }).expect(200);
    await ctx.http.delete('/v1/license-traces').set(admin).send({ traceId: ids[0] }).expect(404);
    const byFilter = await ctx.http
      .delete('/v1/license-traces')
      .set(admin)
      .send({ licenseId: traced.licenseId, filter: 'Action == 3' })
      .expect(200);
    expect(byFilter.body.message).toBe('2 license traces deleted');
    await ctx.http.delete('/v1/license-traces').set(admin).send({ filter: 'Nope == 1' }).expect(400);
    const rest = await ctx.http
      .delete('/v1/license-traces')
      .set(admin)
      .send({ licenseId: traced.licenseId })
      .expect(200);
    expect(rest.body.message).toBe('1 license trace deleted');
  });

  it('deleting a license removes its tokens and traces', async () => {
    const { licenseId } = await license({ licensingMode: 2, maxAllowedSites: 2, trace: true });
    await insertToken(ctx.http, licenseId, { clientId: 'x' }).expect(200);
    await tokens.recordTrace({ licenseId, action: TraceAction.FloatingRequest });
    await ctx.http.delete(`/v1/licenses/${licenseId}`).set(admin).expect(200);
    const [{ tokens: tokenCount, traces }] = await db.query(
      'SELECT (SELECT count(*) FROM license_tokens WHERE license_id = $1)::int AS tokens, (SELECT count(*) FROM license_traces WHERE license_id = $1)::int AS traces',
      [licenseId],
    );
    expect({ tokenCount, traces }).toEqual({ tokenCount: 0, traces: 0 });
  });

  it('tokens and traces belong to the licensing area: Sales is refused, LicenseManager allowed', async () => {
    const sales = await createUser(ctx, ['Sales']);
    const manager = await createUser(ctx, ['LicenseManager']);
    const { licenseId } = await license({ licensingMode: 1, maxAllowedSites: 2 });
    await ctx.http
      .post(`/v1/licenses/${licenseId}/tokens`)
      .set(bearer(sales.token))
      .send({ licenseToken: {} })
      .expect(403);
    await ctx.http.get('/v1/license-tokens').set(bearer(sales.token)).expect(403);
    await ctx.http.get('/v1/license-traces').set(bearer(sales.token)).expect(403);
    await ctx.http
      .post(`/v1/licenses/${licenseId}/tokens`)
      .set(bearer(manager.token))
      .send({ licenseToken: {} })
      .expect(200);
    await ctx.http.get('/v1/license-traces').set(bearer(manager.token)).expect(200);
  }, 30_000);
});
