import { ErrorCode } from '../src/common/errors';
import { TestContext, bearer, login, startTestApp, unique } from './support/app';
import {
  createCustomer,
  createLicense,
  createProduct,
  createSignatureKey,
  liftLicensingRateLimits,
} from './support/licensing';

/** A user of the Customer role that belongs to `customerId` (or to no customer), signed in. */
async function customerUser(ctx: TestContext, customerId: number | null): Promise<string> {
  const userName = unique('portal');
  await ctx.http
    .post('/v1/users')
    .set(bearer(ctx.adminToken))
    .send({
      user: { userName, email: `${userName}@example.com`, roles: ['Customer'], customerId },
      password: 'portal-pass-1',
    })
    .expect(200);
  return login(ctx.http, userName, 'portal-pass-1');
}

async function activate(ctx: TestContext, userKey: string, machineId: string) {
  const response = await ctx.http.post('/v1/license/activate').send({ userKey, machineId, clientName: machineId });
  expect(response.status).toBe(200);
}

async function setAllowance(ctx: TestContext, value: number) {
  await ctx.http
    .put('/v1/settings')
    .set(bearer(ctx.adminToken))
    .send({ settings: [{ group: 'Licensing', name: 'PortalDeactivationsPer30Days', value }] })
    .expect(200);
}

describe('customer portal (/v1/portal)', () => {
  let ctx: TestContext;
  let ownLicense: { id: number; userKey: string; licenseKeyId: string };
  let otherLicense: { id: number; userKey: string };
  let ownFileLicenseId: number;
  let ownToken: string;
  let otherToken: string;
  let productId: number;
  let ownCustomerId: number;

  beforeAll(async () => {
    ctx = await startTestApp();
    await liftLicensingRateLimits(ctx);
    const key = await createSignatureKey(ctx);
    productId = await createProduct(ctx, key.id);
    const own = await createCustomer(ctx);
    ownCustomerId = own;
    const other = await createCustomer(ctx);
    const mine = await createLicense(ctx, {
      product: { id: String(productId) },
      customerId: own,
      licensingMode: 1,
      maxAllowedSites: 3,
    });
    ownLicense = { id: mine.licenseId, userKey: mine.userKey, licenseKeyId: mine.licenseKeyId };
    ownFileLicenseId = (await createLicense(ctx, { product: { id: String(productId) }, customerId: own })).licenseId;
    const theirs = await createLicense(ctx, {
      product: { id: String(productId) },
      customerId: other,
      licensingMode: 1,
      maxAllowedSites: 3,
    });
    otherLicense = { id: theirs.licenseId, userKey: theirs.userKey };
    ownToken = await customerUser(ctx, own);
    otherToken = await customerUser(ctx, other);
  });

  afterAll(async () => {
    await setAllowance(ctx, 3);
    await ctx.close();
  });

  it('lists only the caller’s customer’s licenses, whatever the filter asks for', async () => {
    const mine = await ctx.http.get('/v1/portal/licenses').set(bearer(ownToken)).expect(200);
    expect(mine.body).toMatchObject({ success: true, code: 0, totalLicensesCount: 2 });
    expect(mine.body.licenses.map((license: { id: number }) => license.id).sort()).toEqual(
      [ownLicense.id, ownFileLicenseId].sort(),
    );
    expect(mine.body.licenses.find((license: { id: number }) => license.id === ownLicense.id)).toMatchObject({
      licenseId: ownLicense.licenseKeyId,
      userKey: ownLicense.userKey,
      licensingMode: 1,
      maxAllowedSites: 3,
      activeTokens: 0,
      deactivationsLeft: 3,
    });
    // A filter is ANDed with the customer, never instead of it.
    for (const filter of [
      `Id == ${otherLicense.id}`,
      `Id == ${otherLicense.id} || Id > 0`,
      `UserKey == "${otherLicense.userKey}"`,
    ]) {
      const probe = await ctx.http.get('/v1/portal/licenses').query({ filter }).set(bearer(ownToken)).expect(200);
      expect(probe.body.licenses.map((license: { id: number }) => license.id)).not.toContain(otherLicense.id);
    }
    const theirs = await ctx.http.get('/v1/portal/licenses').set(bearer(otherToken)).expect(200);
    expect(theirs.body.licenses.map((license: { id: number }) => license.id)).toEqual([otherLicense.id]);
  });

  it('answers the caller’s customer and the allowance', async () => {
    const answer = await ctx.http.get('/v1/portal/customer').set(bearer(ownToken)).expect(200);
    expect(answer.body).toMatchObject({ success: true, customer: { firstName: 'Grace' }, deactivationsPer30Days: 3 });
  });

  it('answers another customer’s license exactly like one that does not exist', async () => {
    const foreign = await ctx.http.get(`/v1/portal/licenses/${otherLicense.id}/tokens`).set(bearer(ownToken));
    const missing = await ctx.http.get('/v1/portal/licenses/2147483000/tokens').set(bearer(ownToken));
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ success: false, code: ErrorCode.CustomerLicenseNotFound });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe(ErrorCode.CustomerLicenseNotFound);
    expect(foreign.body.message).toBe(`Your customer has no license ${otherLicense.id}`);
  });

  it('never frees another customer’s machine', async () => {
    await activate(ctx, otherLicense.userKey, unique('their-machine'));
    const tokens = await ctx.http
      .get(`/v1/portal/licenses/${otherLicense.id}/tokens`)
      .set(bearer(otherToken))
      .expect(200);
    const tokenId = tokens.body.licenseTokens[0].id;
    const attempt = await ctx.http
      .post(`/v1/portal/licenses/${otherLicense.id}/tokens/${tokenId}/deactivate`)
      .set(bearer(ownToken));
    expect(attempt.status).toBe(404);
    expect(attempt.body.code).toBe(ErrorCode.CustomerLicenseNotFound);
    // Nor through one of its own licenses' paths with the other's token id.
    const crossed = await ctx.http
      .post(`/v1/portal/licenses/${ownLicense.id}/tokens/${tokenId}/deactivate`)
      .set(bearer(ownToken));
    expect(crossed.status).toBe(404);
    expect(crossed.body.code).toBe(ErrorCode.TokenNotFound);
    const still = await ctx.http
      .get(`/v1/portal/licenses/${otherLicense.id}/tokens`)
      .set(bearer(otherToken))
      .expect(200);
    expect(still.body.licenseTokens.map((token: { id: number }) => token.id)).toEqual([tokenId]);
  });

  it('frees one of its own machines, as the client API would, up to the allowance per 30 days', async () => {
    await setAllowance(ctx, 2);
    const machines = [unique('m1'), unique('m2'), unique('m3')];
    for (const machine of machines) await activate(ctx, ownLicense.userKey, machine);
    // The activations' node-locked copies are not licenses of their own in the portal.
    const licenses = await ctx.http.get('/v1/portal/licenses').set(bearer(ownToken)).expect(200);
    expect(licenses.body.totalLicensesCount).toBe(2);
    expect(licenses.body.licenses.find((license: { id: number }) => license.id === ownLicense.id).activeTokens).toBe(3);
    const listed = await ctx.http.get(`/v1/portal/licenses/${ownLicense.id}/tokens`).set(bearer(ownToken)).expect(200);
    expect(listed.body).toMatchObject({ maxAllowedSites: 3, deactivationsLeft: 2 });
    expect(listed.body.licenseTokens.map((token: { machineId: string }) => token.machineId)).toEqual(machines);
    const [first, second, third] = listed.body.licenseTokens as { id: number }[];

    const freed = await ctx.http
      .post(`/v1/portal/licenses/${ownLicense.id}/tokens/${first.id}/deactivate`)
      .set(bearer(ownToken))
      .expect(200);
    expect(freed.body).toMatchObject({ success: true, activeClientCount: 2, maxClientCount: 3, deactivationsLeft: 1 });
    // The machine is free for the client API too: it may activate again.
    const validate = await ctx.http
      .post('/v1/license/validate')
      .send({ userKey: ownLicense.userKey, machineId: machines[0] });
    expect(validate.body.valid).toBe(false);

    await ctx.http
      .post(`/v1/portal/licenses/${ownLicense.id}/tokens/${second.id}/deactivate`)
      .set(bearer(ownToken))
      .expect(200);
    const refused = await ctx.http
      .post(`/v1/portal/licenses/${ownLicense.id}/tokens/${third.id}/deactivate`)
      .set(bearer(ownToken));
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe(ErrorCode.DeactivationLimitReached);
    expect(refused.body.message).toMatch(
      /had 2 of 2 machine deactivations in the last 30 days; the next one is possible from \d{4}-/,
    );
    const left = await ctx.http.get(`/v1/portal/licenses/${ownLicense.id}/tokens`).set(bearer(ownToken)).expect(200);
    expect(left.body.licenseTokens.map((token: { id: number }) => token.id)).toEqual([third.id]);
    expect(left.body.deactivationsLeft).toBe(0);

    const audit = await ctx.http
      .get('/v1/audit-events')
      .query({ filter: `Action == "license.deactivated" && EntityId == "${ownLicense.id}"` })
      .set(bearer(ctx.adminToken))
      .expect(200);
    expect(audit.body.totalAuditEventsCount).toBe(2);
  });

  it('never exceeds the allowance when deactivations race', async () => {
    await setAllowance(ctx, 1);
    const license = await createLicense(ctx, {
      product: { id: String(productId) },
      customerId: ownCustomerId,
      licensingMode: 1,
      maxAllowedSites: 4,
    });
    for (const machine of [unique('r1'), unique('r2'), unique('r3')]) await activate(ctx, license.userKey, machine);
    const listed = await ctx.http
      .get(`/v1/portal/licenses/${license.licenseId}/tokens`)
      .set(bearer(ownToken))
      .expect(200);
    const answers = await Promise.all(
      (listed.body.licenseTokens as { id: number }[]).map((token) =>
        ctx.http.post(`/v1/portal/licenses/${license.licenseId}/tokens/${token.id}/deactivate`).set(bearer(ownToken)),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 403, 403]);
    const left = await ctx.http
      .get(`/v1/portal/licenses/${license.licenseId}/tokens`)
      .set(bearer(ownToken))
      .expect(200);
    expect(left.body.licenseTokens).toHaveLength(2);
    await setAllowance(ctx, 3);
  });

  it('refuses to deactivate a machine of a file license', async () => {
    const refused = await ctx.http
      .post(`/v1/portal/licenses/${ownFileLicenseId}/tokens/1/deactivate`)
      .set(bearer(ownToken));
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe(ErrorCode.WrongLicensingMode);
  });

  it('is closed to users without a customer, to staff roles and to anonymous callers', async () => {
    const orphan = await customerUser(ctx, null);
    const none = await ctx.http.get('/v1/portal/licenses').set(bearer(orphan));
    expect(none.status).toBe(403);
    expect(none.body.code).toBe(ErrorCode.NoCustomerAccount);
    const admin = await ctx.http.get('/v1/portal/customer').set(bearer(ctx.adminToken));
    expect(admin.status).toBe(403);
    expect(admin.body.code).toBe(ErrorCode.NoCustomerAccount);
    expect((await ctx.http.get('/v1/portal/licenses')).status).toBe(401);
  });
});
