import { TestContext, bearer, createUser, startTestApp, unique } from './support/app';
import { createLicense, createProduct, createSignatureKey, liftLicensingRateLimits } from './support/licensing';

type Dashboard = {
  licensesByMode: { licensingMode: number; active: number; revoked: number; expired: number }[];
  activationsInUse: number;
  seatsInUse: number;
  seatsAvailable: number;
  activationsPerDay: { date: string; activations: number; deactivations: number; seats: number }[];
  expiringLicensesCount: number;
  expiringLicenses: { id: number; licenseId: string; expireDate: string }[];
};

describe('GET /v1/info/dashboard', () => {
  let ctx: TestContext;
  let productId: number;

  beforeAll(async () => {
    ctx = await startTestApp();
    await liftLicensingRateLimits(ctx);
    productId = await createProduct(ctx, (await createSignatureKey(ctx)).id);
  });
  afterAll(() => ctx.close());

  const read = async (token = ctx.adminToken): Promise<Dashboard> =>
    (await ctx.http.get('/v1/info/dashboard').set(bearer(token)).expect(200)).body as Dashboard;
  const mode = (dashboard: Dashboard, licensingMode: number) =>
    dashboard.licensesByMode.find((row) => row.licensingMode === licensingMode)!;

  it('counts what changes: licenses per mode and state, seats, activations today, expiring licenses', async () => {
    const before = await read();
    expect(before.licensesByMode.map((row) => row.licensingMode)).toEqual([0, 1, 2]);
    expect(before.activationsPerDay).toHaveLength(30);
    const today = new Date().toISOString().slice(0, 10);
    expect(before.activationsPerDay[29].date).toBe(today);

    const soon = new Date(Date.now() + 5 * 86_400_000).toISOString();
    const activation = await createLicense(ctx, {
      product: { id: String(productId) },
      licensingMode: 1,
      maxAllowedSites: 4,
      expireDate: soon,
    });
    const floating = await createLicense(ctx, {
      product: { id: String(productId) },
      licensingMode: 2,
      maxAllowedSites: 2,
    });
    const revoked = await createLicense(ctx, { product: { id: String(productId) } });
    await ctx.http
      .put('/v1/licenses')
      .set(bearer(ctx.adminToken))
      .send({ license: { id: revoked.licenseId, revoked: true } })
      .expect(200);
    for (const machineId of [unique('a'), unique('b')])
      await ctx.http.post('/v1/license/activate').send({ userKey: activation.userKey, machineId }).expect(200);
    await ctx.http
      .post('/v1/license/deactivate')
      .send({ userKey: activation.userKey, machineId: unique('unknown') })
      .expect(404);
    await ctx.http
      .post('/v1/license/floating/request')
      .send({ userKey: floating.userKey, clientId: unique('client') })
      .expect(200);

    const after = await read();
    expect(mode(after, 1).active - mode(before, 1).active).toBe(1);
    expect(mode(after, 2).active - mode(before, 2).active).toBe(1);
    expect(mode(after, 0).revoked - mode(before, 0).revoked).toBe(1);
    expect(after.activationsInUse - before.activationsInUse).toBe(2);
    expect(after.seatsInUse - before.seatsInUse).toBe(1);
    expect(after.seatsAvailable - before.seatsAvailable).toBe(6);
    expect(after.activationsPerDay[29].activations - before.activationsPerDay[29].activations).toBe(2);
    expect(after.activationsPerDay[29].seats - before.activationsPerDay[29].seats).toBe(1);
    expect(after.expiringLicensesCount - before.expiringLicensesCount).toBe(1);
    expect(after.expiringLicenses.map((license) => license.id)).toContain(activation.licenseId);
  });

  it('is for the roles that read licenses', async () => {
    const sales = await createUser(ctx, ['Sales']);
    await read(sales.token);
    const customer = await createUser(ctx, ['Customer']);
    expect((await ctx.http.get('/v1/info/dashboard').set(bearer(customer.token))).status).toBe(403);
  });
});
