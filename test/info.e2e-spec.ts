import { packageVersion } from '../src/config';
import { TestContext, bearer, createUser, startTestApp } from './support/app';
import { createLicense, createSignatureKey } from './support/licensing';

describe('Server info', () => {
  let ctx: TestContext;
  let admin: Record<string, string>;

  beforeAll(async () => {
    ctx = await startTestApp();
    admin = bearer(ctx.adminToken);
  });
  afterAll(() => ctx.close());

  const info = async (headers = admin) => (await ctx.http.get('/v1/info').set(headers).expect(200)).body;

  it('answers the reference members: product setting, version, host, time and the caller address', async () => {
    const before = Date.now();
    const body = await info();
    expect(body).toMatchObject({
      success: true,
      code: 0,
      product: 'Open Licensing Server',
      edition: 0,
      version: packageVersion,
      license: 'MIT',
    });
    expect(body.serverHost).toEqual(expect.any(String));
    expect(Math.abs(Date.parse(body.serverTime) - before)).toBeLessThan(10_000);
    expect(body.clientAddress).toMatch(/127\.0\.0\.1|::1|::ffff:127\.0\.0\.1/);

    await ctx.http
      .put('/v1/settings')
      .set(admin)
      .send({ settings: [{ group: 'Application', name: 'ProductName', value: 'Acme Licensing' }] })
      .expect(200);
    expect((await info()).product).toBe('Acme Licensing');
    // The run's database is shared by every spec: put the default back.
    await ctx.http
      .put('/v1/settings')
      .set(admin)
      .send({ settings: [{ group: 'Application', name: 'ProductName', value: 'Open Licensing Server' }] })
      .expect(200);
  });

  it('counts licenses and tokens from the database', async () => {
    const keyId = (await createSignatureKey(ctx)).id;
    const start = await info();
    const activation = await createLicense(ctx, {
      signatureKeysId: keyId,
      licensingMode: 1,
      maxAllowedSites: 3,
      trace: true,
    });
    const floating = await createLicense(ctx, { signatureKeysId: keyId, licensingMode: 2, maxAllowedSites: 4 });
    await createLicense(ctx, { signatureKeysId: keyId, licensingMode: 0, revoked: true });
    await ctx.http
      .post(`/v1/licenses/${activation.licenseId}/tokens`)
      .set(admin)
      .send({ licenseToken: { machineId: 'm' } })
      .expect(200);
    await ctx.http
      .post(`/v1/licenses/${floating.licenseId}/tokens`)
      .set(admin)
      .send({ licenseToken: { clientId: 'a' } })
      .expect(200);
    const expired = await ctx.http
      .post(`/v1/licenses/${floating.licenseId}/tokens`)
      .set(admin)
      .send({ licenseToken: { clientId: 'b', expireDate: new Date(Date.now() + 1500).toISOString() } })
      .expect(200);
    expect(expired.body.token).toMatch(/^fltk_/);
    await new Promise((resolve) => setTimeout(resolve, 1600));

    const end = await info();
    const delta = (name: string) => end[name] - start[name];
    expect({
      totalLicenses: delta('totalLicenses'),
      revokedLicenses: delta('revokedLicenses'),
      tracedLicenses: delta('tracedLicenses'),
      fileLicenses: delta('fileLicenses'),
      activationLicenses: delta('activationLicenses'),
      floatingLicenses: delta('floatingLicenses'),
      maxTokens: delta('maxTokens'),
      activeTokens: delta('activeTokens'),
      activationTokens: delta('activationTokens'),
      floatingTokens: delta('floatingTokens'),
      expiredTokens: delta('expiredTokens'),
    }).toEqual({
      totalLicenses: 3,
      revokedLicenses: 1,
      tracedLicenses: 1,
      fileLicenses: 1,
      activationLicenses: 1,
      floatingLicenses: 1,
      maxTokens: 7,
      activeTokens: 2,
      activationTokens: 1,
      floatingTokens: 1,
      expiredTokens: 1,
    });
  });

  it('is open to every authenticated principal, and only to them', async () => {
    const customer = await createUser(ctx, ['Customer']);
    expect((await info(bearer(customer.token))).success).toBe(true);
    await ctx.http.get('/v1/info').expect(401);
  }, 30_000);
});
