import { readFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { TestContext, bearer, createUser, startTestApp, unique } from './support/app';
import { createCustomer, createLicense, createSignatureKey, createTemplate } from './support/licensing';

/**
 * The reference's own example request bodies (copied from the reference into test/fixtures), sent as
 * they are: `0` where they mean "no reference", "string" wherever any text will do. Only what must be
 * real is filled in: the ids of the records an update or a path names, required references, codes
 * (unique in the database every spec shares), and values with a format ("string" is no email address,
 * UUID, password, MIME type, key format or future date). Every one is accepted.
 */
type Body = Record<string, any>;

const FUTURE = new Date(Date.now() + 365 * 86_400_000).toISOString();
const KEY_FORMAT = '{TOKEN:8}-{TOKEN:8}';
/** Codes are unique across the run's database, which every spec shares. */
const CODE = () => unique('code');

const EXAMPLES = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'reference-request-examples.json'), 'utf8'),
) as Record<string, Body>;

describe('the reference example bodies', () => {
  let ctx: TestContext;
  let smtp: SMTPServer;
  const ids: Record<string, any> = {};

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback());
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    ctx = await startTestApp();
    const key = await createSignatureKey(ctx);
    ids.signatureKeysId = key.id;
    ids.customerId = await createCustomer(ctx);
    ids.templateId = (await createTemplate(ctx, { signatureKeysId: key.id, licensingMode: 1 })).templateId;
    ids.activationLicenseId = (
      await createLicense(ctx, { templateId: ids.templateId, licensingMode: 1, maxAllowedSites: 5 })
    ).licenseId;
    ids.userId = (await createUser(ctx, ['Sales'])).id;
    const email = await ctx.http
      .post('/v1/resources')
      .set(bearer(ctx.adminToken))
      .send({ resource: { name: unique('mail'), type: 'email', dataFormat: 'html', data: '<p>{LicenseKey}</p>' } })
      .expect(200);
    ids.emailTemplateId = email.body.resourceId;
    await putSettings({
      'Email.Enabled': true,
      'Email.SmtpHost': '127.0.0.1',
      'Email.SmtpPort': (smtp.server.address() as AddressInfo).port,
    });
  }, 60_000);

  afterAll(async () => {
    // The run's database is shared by every spec: leave email, and the setting the PUT /v1/settings example
    // changes, as they were found (a 30-day activation expiry would leak into the licensing specs).
    await putSettings({
      'Email.Enabled': false,
      'Email.SmtpHost': 'localhost',
      'Email.SmtpPort': 25,
      'Licensing.ActivationTokenDays': 0,
    });
    await ctx.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  async function putSettings(values: Record<string, unknown>): Promise<void> {
    const settings = Object.entries(values).map(([key, value]) => {
      const [group, name] = key.split('.');
      return { group, name, value };
    });
    await ctx.http.put('/v1/settings').set(bearer(ctx.adminToken)).send({ settings }).expect(200);
  }

  /** Each example, in the order a vendor would send them, with what must be real filled in. */
  const STEPS: [string, (body: Body) => void, (answer: Body) => void][] = [
    [
      'POST /v1/api-keys',
      (b) => Object.assign(b.apiKey, { ownerId: ids.userId, expireDate: FUTURE }),
      (a) => (ids.apiKeyId = a.apiKeyId),
    ],
    [
      'PUT /v1/api-keys',
      (b) => Object.assign(b.apiKey, { id: ids.apiKeyId, ownerId: ids.userId, expireDate: FUTURE }),
      () => undefined,
    ],
    [
      'POST /v1/users',
      (b) => {
        Object.assign(b.user, { userName: unique('user'), email: `${unique('u')}@example.com`, roles: ['Sales'] });
        b.user.apiKeys[0].ownerId = ids.userId;
        b.password = 'password-1234';
      },
      (a) => (ids.newUserId = a.userId),
    ],
    [
      'PUT /v1/users',
      (b) => {
        Object.assign(b.user, {
          id: ids.newUserId,
          userName: unique('user'),
          email: `${unique('u')}@example.com`,
          roles: ['Sales'],
        });
        b.user.apiKeys[0].ownerId = ids.userId;
        b.currentPassword = 'password-1234';
        b.newPassword = 'password-5678';
      },
      () => undefined,
    ],
    ['POST /v1/users/{userId}/settings', () => undefined, (a) => (ids.settingId = a.settingId)],
    ['PUT /v1/users/{userId}/settings', (b) => (b.setting.id = ids.settingId), () => undefined],
    ['POST /v1/users/{userId}/roles', (b) => (b.roles = 'LicenseManager'), () => undefined],
    ['DELETE /v1/users/{userId}/roles', (b) => (b.roles = 'LicenseManager'), () => undefined],
    ['POST /v1/assemblies', () => undefined, (a) => (ids.assemblyId = a.assemblyId)],
    ['PUT /v1/assemblies', (b) => (b.assembly.id = ids.assemblyId), () => undefined],
    ['POST /v1/customers', (b) => (b.customer.code = CODE()), (a) => (ids.exampleCustomerId = a.customerId)],
    [
      'PUT /v1/customers',
      (b) => Object.assign(b.customer, { id: ids.exampleCustomerId, code: CODE() }),
      () => undefined,
    ],
    ['POST /v1/contacts', (b) => (b.contact.customerId = ids.customerId), (a) => (ids.contactId = a.contactId)],
    ['PUT /v1/contacts', (b) => (b.contact.id = ids.contactId), () => undefined],
    ['POST /v1/products', (b) => (b.product.code = CODE()), (a) => (ids.productId = a.productId)],
    ['PUT /v1/products', (b) => Object.assign(b.product, { id: ids.productId, code: CODE() }), () => undefined],
    ['POST /v1/products/{productId}/releases', () => undefined, (a) => (ids.releaseId = a.releaseId)],
    ['PUT /v1/products/{productId}/releases', (b) => (b.release.id = ids.releaseId), () => undefined],
    [
      'POST /v1/products/{productId}/releases/{releaseId}/assemblies',
      () => undefined,
      (a) => (ids.releaseAssemblyId = a.assemblyId),
    ],
    [
      'PUT /v1/products/{productId}/releases/{releaseId}/assemblies',
      (b) => (b.assembly.id = ids.releaseAssemblyId),
      () => undefined,
    ],
    [
      'POST /v1/license-templates',
      (b) => Object.assign(b.licenseTemplate, { userKey: KEY_FORMAT, code: CODE() }),
      (a) => (ids.exampleTemplateId = a.templateId),
    ],
    [
      'PUT /v1/license-templates',
      (b) => Object.assign(b.licenseTemplate, { id: ids.exampleTemplateId, userKey: KEY_FORMAT, code: CODE() }),
      () => undefined,
    ],
    ['POST /v1/orders', (b) => (b.order.customerId = ids.customerId), (a) => (ids.orderId = a.orderId)],
    ['PUT /v1/orders', (b) => Object.assign(b.order, { id: ids.orderId, customerId: ids.customerId }), () => undefined],
    ['POST /v1/orders/{orderId}/products/{productId}', () => undefined, () => undefined],
    ['PUT /v1/orders/{orderId}/products/{productId}', () => undefined, () => undefined],
    // signatureKeysId, customerId and orderId stay 0: the template's key signs, and the license has no customer or order.
    [
      'POST /v1/licenses',
      (b) => Object.assign(b.license, { templateId: ids.templateId, licenseeEmail: 'ada@example.com' }),
      (a) => (ids.licenseId = a.licenseId),
    ],
    [
      'PUT /v1/licenses',
      (b) =>
        Object.assign(b.license, { id: ids.licenseId, templateId: ids.templateId, licenseeEmail: 'ada@example.com' }),
      () => undefined,
    ],
    // The path names an activation license (the example's own is a file license, licensingMode 0).
    ['POST /v1/licenses/{activationLicenseId}/tokens', (b) => (b.licenseToken.expireDate = FUTURE), () => undefined],
    ['DELETE /v1/license-traces', (b) => (b.filter = `LicenseId == ${ids.licenseId}`), () => undefined],
    ['POST /v1/resources', (b) => (b.resource.code = CODE()), (a) => (ids.resourceId = a.resourceId)],
    ['PUT /v1/resources', (b) => Object.assign(b.resource, { id: ids.resourceId, code: CODE() }), () => undefined],
    [
      'PUT /v1/settings',
      (b) => Object.assign(b.settings[0], { group: 'Licensing', name: 'ActivationTokenDays', value: 30 }),
      () => undefined,
    ],
    [
      'POST /v1/email/send',
      (b) => {
        b.to[0].email = 'ada@example.com';
        b.attachments[0].contentType = 'text/plain';
      },
      () => undefined,
    ],
    [
      'POST /v1/email/license',
      (b) => Object.assign(b, { licenseId: ids.licenseId, resourceId: ids.emailTemplateId }),
      () => undefined,
    ],
  ];

  it('covers every example in the fixture', () => {
    expect(STEPS.map(([key]) => key.replace('{activationLicenseId}', '{licenseId}')).sort()).toEqual(
      Object.keys(EXAMPLES).sort(),
    );
  });

  it('accepts every example, with 0 meaning "no reference"', async () => {
    const refused: string[] = [];
    for (const [key, fill, keep] of STEPS) {
      const [method, template] = key.split(' ');
      const body = structuredClone(EXAMPLES[key.replace('{activationLicenseId}', '{licenseId}')]);
      fill(body);
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) => String(ids[name]));
      const response = await (ctx.http as any)[method.toLowerCase()](path).set(bearer(ctx.adminToken)).send(body);
      if (response.status === 200 && response.body.success === true) keep(response.body);
      else refused.push(`${key}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    expect(refused).toEqual([]);
  });

  it('stores 0 as no reference, and still refuses an id that does not exist', async () => {
    const admin = bearer(ctx.adminToken);
    const user = EXAMPLES['POST /v1/users'].user;
    const userName = unique('zero');
    await ctx.http
      .post('/v1/users')
      .set(admin)
      .send({ user: { userName, email: `${userName}@example.com`, customerId: 0 }, password: 'password-1234' })
      .expect(200);
    const listed = await ctx.http
      .get('/v1/users')
      .query({ filter: `UserName == "${userName}"` })
      .set(admin)
      .expect(200);
    expect(listed.body.users).toHaveLength(1);
    expect(listed.body.users[0].customerId ?? null).toBeNull();
    expect(user.customerId).toBe(0);

    const license = await ctx.http
      .post('/v1/licenses')
      .set(admin)
      .send({ license: { templateId: ids.templateId, signatureKeysId: 0, customerId: 0, orderId: 0 } })
      .expect(200);
    const [row] = (
      await ctx.http
        .get('/v1/licenses')
        .query({ filter: `Id == ${license.body.licenseId}` })
        .set(admin)
        .expect(200)
    ).body.licenses;
    expect(row).toMatchObject({ customerId: null, orderId: null, signatureKeysId: expect.any(Number) });

    const missing = 2_000_000_000;
    const refusals = await Promise.all([
      ctx.http
        .post('/v1/users')
        .set(admin)
        .send({ user: { userName: unique('u'), customerId: missing }, password: 'password-1234' }),
      ctx.http
        .post('/v1/licenses')
        .set(admin)
        .send({ license: { templateId: ids.templateId, orderId: missing } }),
      ctx.http
        .post('/v1/licenses')
        .set(admin)
        .send({ license: { templateId: missing } }),
      ctx.http
        .post(`/v1/licenses/${ids.activationLicenseId}/tokens`)
        .set(admin)
        .send({ licenseToken: { nodeLockedLicenseId: missing } }),
      ctx.http.delete('/v1/license-traces').set(admin).send({ traceId: missing }),
      ctx.http
        .post('/v1/license-templates')
        .set(admin)
        .send({ licenseTemplate: { name: unique('t'), releaseId: missing } }),
    ]);
    for (const response of refusals) {
      expect([400, 404]).toContain(response.status);
      expect(response.body).toMatchObject({ success: false, message: expect.stringContaining(String(missing)) });
    }
  });
});
