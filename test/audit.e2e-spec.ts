import { DataSource } from 'typeorm';
import { AuditService } from '../src/modules/audit/audit.service';
import { CustomerEntity } from '../src/modules/customers/customer.entity';
import { TestContext, bearer, createApiKey, createUser, login, unique } from './support/app';
import { SignatureKey, createLicense, startLicensingTestApp } from './support/licensing';

interface AuditEvent {
  id: number;
  createdAt: string;
  action: string;
  entityType: string;
  entityId: string | null;
  actorType: string;
  actorId: string | null;
  actorName: string | null;
  address: string | null;
  requestId: string | null;
  changes: Record<string, { from: unknown; to: unknown }> | null;
}

describe('Audit trail', () => {
  let ctx: TestContext;
  let key: SignatureKey;
  let db: DataSource;
  const admin = () => bearer(ctx.adminToken);

  beforeAll(async () => {
    ({ ctx, key } = await startLicensingTestApp());
    db = ctx.app.get(DataSource);
  }, 60_000);
  afterAll(async () => {
    await ctx?.close();
  });

  const events = async (filter: string, headers = admin()): Promise<{ auditEvents: AuditEvent[]; total: number }> => {
    const response = await ctx.http.get('/v1/audit-events').query({ filter }).set(headers).expect(200);
    expect(response.body).toMatchObject({ success: true, code: 0 });
    return { auditEvents: response.body.auditEvents, total: response.body.totalAuditEventsCount };
  };

  it('records a license update by an API key with the key as actor and only the changed fields', async () => {
    const license = await createLicense(ctx, { signatureKeysId: key.id, licenseeName: 'Ada', product: { name: 'P' } });
    const created = await events(`EntityType == "license" && EntityId == "${license.licenseId}"`);
    expect(created.auditEvents).toHaveLength(1);
    expect(created.auditEvents[0]).toMatchObject({ action: 'license.created', actorType: 'user', actorName: 'admin' });
    expect(created.auditEvents[0].changes?.licenseeName).toEqual({ from: null, to: 'Ada' });
    expect(JSON.stringify(created.auditEvents[0].changes)).not.toContain(license.userKey);

    const apiKey = await createApiKey(ctx);
    const response = await ctx.http
      .put('/v1/licenses')
      .set('x-api-key', apiKey.key)
      .send({ license: { id: license.licenseId, licenseeName: 'Grace', licenseeCompany: null } })
      .expect(200);
    const { auditEvents } = await events(`Action == "license.updated" && EntityId == "${license.licenseId}"`);
    expect(auditEvents).toHaveLength(1);
    const [event] = auditEvents;
    expect(event).toMatchObject({
      entityType: 'license',
      actorType: 'apiKey',
      actorId: String(apiKey.id),
      actorName: 'admin',
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(event.address).toBeTruthy();
    // licenseeCompany was null already: not a change. The license is signed again: its key and hash change, redacted.
    expect(Object.keys(event.changes ?? {}).sort()).toEqual(['hash', 'licenseKey', 'licenseeName']);
    expect(event.changes?.licenseeName).toEqual({ from: 'Ada', to: 'Grace' });
    expect(event.changes?.licenseKey).toEqual({ from: '[redacted]', to: '[redacted]' });
    expect(JSON.stringify(event)).not.toContain(license.licenseKey.slice(0, 40));
    expect(response.headers['x-request-id'] ?? event.requestId).toBeTruthy();

    const byActor = await events(`ActorType == "apiKey" && ActorId == "${apiKey.id}"`);
    expect(byActor.auditEvents.map((e) => e.action)).toEqual(['license.updated']);

    await ctx.http
      .put('/v1/licenses')
      .set(admin())
      .send({ license: { id: license.licenseId, revoked: true } })
      .expect(200);
    await ctx.http.delete(`/v1/licenses/${license.licenseId}`).set(admin()).expect(200);
    const all = await ctx.http
      .get('/v1/audit-events')
      .query({ filter: `EntityType == "license" && EntityId == "${license.licenseId}"`, sort: 'Id' })
      .set(admin())
      .expect(200);
    expect(all.body.auditEvents.map((e: AuditEvent) => e.action)).toEqual([
      'license.created',
      'license.updated',
      'license.revoked',
      'license.deleted',
    ]);
    expect(all.body.totalAuditEventsCount).toBe(4);
  });

  it('shows a password change as [redacted]', async () => {
    const user = await createUser(ctx, ['Sales']);
    await ctx.http
      .put('/v1/users')
      .set(admin())
      .send({ user: { id: user.id, email: `${unique('m')}@example.com` }, newPassword: 'another-password-5678' })
      .expect(200);
    const { auditEvents } = await events(`Action == "user.updated" && EntityId == "${user.id}"`);
    expect(auditEvents).toHaveLength(1);
    expect(auditEvents[0].changes?.passwordHash).toEqual({ from: '[redacted]', to: '[redacted]' });
    expect(auditEvents[0].changes?.email?.to).toMatch(/@example\.com$/);
    expect(JSON.stringify(auditEvents)).not.toMatch(/argon2|another-password/);
  });

  it('leaves no event for a refused or rolled-back write', async () => {
    const before = (await events('Action == "customer.created"')).total;
    await ctx.http
      .post('/v1/customers')
      .set(admin())
      .send({ customer: { name: 'x', shoeSize: 44 } })
      .expect(400);
    const name = unique('rolled-back');
    await expect(
      db.transaction(async (manager) => {
        await manager.save(CustomerEntity, manager.create(CustomerEntity, { name, code: unique('c') }));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    // A delete refused inside its transaction (the product is in use) records nothing either.
    const license = await createLicense(ctx, { signatureKeysId: key.id, product: { name: 'P' } });
    const productId = (await db.query('SELECT product_id FROM licenses WHERE id = $1', [license.licenseId]))[0]
      ?.product_id as number | null;
    if (productId) {
      await ctx.http.delete(`/v1/products/${productId}`).set(admin()).expect(409);
      expect((await events(`Action == "product.deleted" && EntityId == "${productId}"`)).total).toBe(0);
    }
    const rows = await db.query('SELECT count(*)::int AS n FROM audit_events WHERE changes -> $1 ->> $2 = $3', [
      'name',
      'to',
      name,
    ]);
    expect(rows[0].n).toBe(0);
    const after = (await events('Action == "customer.created"')).total;
    // Other specs may create customers meanwhile, never ours.
    expect(after).toBeGreaterThanOrEqual(before);
  });

  it('records activations and deactivations with the client as actor', async () => {
    const license = await createLicense(ctx, {
      signatureKeysId: key.id,
      licensingMode: 1,
      maxAllowedSites: 1,
      product: { name: 'P' },
    });
    const machineId = unique('machine');
    await ctx.http
      .post('/v1/license/activate')
      .send({ userKey: license.userKey, machineId, clientName: 'Build box' })
      .expect(200);
    await ctx.http
      .post('/v1/license/activate')
      .send({ userKey: license.userKey, machineId: unique('other') })
      .expect(409);
    await ctx.http.post('/v1/license/deactivate').send({ userKey: license.userKey, machineId }).expect(200);
    const response = await ctx.http
      .get('/v1/audit-events')
      .query({
        filter: `EntityType == "license" && EntityId == "${license.licenseId}" && ActorType == "client"`,
        sort: 'Id',
      })
      .set(admin())
      .expect(200);
    const listed: AuditEvent[] = response.body.auditEvents;
    expect(listed.map((e) => e.action)).toEqual(['license.activated', 'license.deactivated']);
    expect(listed[0]).toMatchObject({ actorId: machineId, actorName: 'Build box' });
    expect(listed[0].changes?.machineId).toEqual({ from: null, to: machineId });
    expect(listed[1].changes?.machineId).toEqual({ from: machineId, to: null });
  });

  it('records logins and failed logins', async () => {
    const user = await createUser(ctx, ['Sales']);
    await ctx.http.post('/v1/auth/login').send({ userName: user.userName, password: 'wrong-password' }).expect(401);
    await login(ctx.http, user.userName, 'password-1234');
    const failed = await events(`Action == "user.login_failed" && EntityId == "${user.id}"`);
    expect(failed.auditEvents).toHaveLength(1);
    expect(failed.auditEvents[0]).toMatchObject({ actorType: 'user', actorId: user.id, actorName: user.userName });
    expect(failed.auditEvents[0].changes?.reason).toEqual({ from: null, to: 'InvalidCredentials' });
    // createUser logged in once, this test once more.
    expect((await events(`Action == "user.login" && EntityId == "${user.id}"`)).total).toBe(2);
  });

  it('filters by CreatedAt, lets LicenseManager read, refuses Sales, and refuses unknown fields', async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const recent = await events(`CreatedAt >= "${since}" && Action == "user.login"`);
    expect(recent.total).toBeGreaterThan(0);
    expect(recent.auditEvents.every((e) => e.createdAt >= since)).toBe(true);
    const future = await events(`CreatedAt > "${new Date(Date.now() + 86_400_000).toISOString()}"`);
    expect(future.total).toBe(0);

    const manager = await createUser(ctx, ['LicenseManager']);
    await ctx.http.get('/v1/audit-events').set(bearer(manager.token)).expect(200);
    const sales = await createUser(ctx, ['Sales']);
    await ctx.http.get('/v1/audit-events').set(bearer(sales.token)).expect(403);
    const bad = await ctx.http.get('/v1/audit-events').query({ filter: 'Changes == "x"' }).set(admin()).expect(400);
    expect(bad.body).toMatchObject({ success: false });
  });

  it('purges events older than Application.AuditRetentionDays', async () => {
    const [{ id }] = await db.query(
      `INSERT INTO audit_events (created_at, action, entity_type, entity_id, actor_type)
       VALUES (now() - interval '400 days', 'test.old', 'test', $1, 'system') RETURNING id`,
      [unique('old')],
    );
    const purged = await ctx.app.get(AuditService).purgeExpired();
    expect(purged).toBeGreaterThanOrEqual(1);
    expect(await db.query('SELECT 1 FROM audit_events WHERE id = $1', [id])).toHaveLength(0);
  });
});
