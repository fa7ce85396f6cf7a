import { generateKeyPairSync } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SigningKeysService } from '../src/modules/resources/signing-keys.service';
import { verifyLicense } from '../verifier/src';
import { TestContext, bearer, createApiKey, createUser, startTestApp, unique } from './support/app';
import {
  SignatureKey,
  createCustomer,
  createLicense,
  createOrder,
  createProduct,
  createSignatureKey,
  createTemplate,
} from './support/licensing';

const ALGORITHMS = ['RSA', 'ECDSA', 'Ed25519'] as const;
const FORMATS = [
  { format: 0, name: 'XML' },
  { format: 1, name: 'XML-DSig' },
  { format: 2, name: 'ASCII' },
  { format: 3, name: 'Base32' },
] as const;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The license key with one signed character changed to another valid one of the same encoding. */
function tamper(licenseKey: string, format: number, licenseId: string): string {
  if (format <= 1) {
    // A byte of the license content: the last character of the license id inside <LicenseId>.
    const at = licenseKey.indexOf(`<LicenseId>${licenseId}</LicenseId>`) + '<LicenseId>'.length + licenseId.length - 1;
    return licenseKey.slice(0, at) + (licenseKey[at] === '0' ? '1' : '0') + licenseKey.slice(at + 1);
  }
  if (format === 2) {
    // A character of the base64url payload (4th part); every base64url character carries 6 bits.
    const parts = licenseKey.split('.');
    const payload = parts[3];
    const at = Math.floor(payload.length / 2);
    parts[3] = payload.slice(0, at) + (payload[at] === 'A' ? 'B' : 'A') + payload.slice(at + 1);
    return parts.join('.');
  }
  // A letter in the middle of the Base32 text (the signed header and payload come first).
  const at = Math.floor(licenseKey.length / 4);
  const current = licenseKey[at] === '-' ? at + 1 : at;
  const replacement = BASE32[(BASE32.indexOf(licenseKey[current]) + 1) % 32];
  return licenseKey.slice(0, current) + replacement + licenseKey.slice(current + 1);
}

describe('Licenses', () => {
  let ctx: TestContext;
  let admin: Record<string, string>;
  let keys: Record<(typeof ALGORITHMS)[number], SignatureKey>;
  let products: Record<(typeof ALGORITHMS)[number], number>;

  beforeAll(async () => {
    ctx = await startTestApp();
    admin = bearer(ctx.adminToken);
    keys = {
      RSA: await createSignatureKey(ctx, 'RSA'),
      ECDSA: await createSignatureKey(ctx, 'ECDSA'),
      Ed25519: await createSignatureKey(ctx, 'Ed25519'),
    };
    products = {
      RSA: await createProduct(ctx, keys.RSA.id, { copyright: '(c) Vendor' }),
      ECDSA: await createProduct(ctx, keys.ECDSA.id),
      Ed25519: await createProduct(ctx, keys.Ed25519.id),
    };
  }, 60_000);
  afterAll(() => ctx.close());

  describe('made from a template through HTTP, verified with the public key alone', () => {
    const cases = ALGORITHMS.flatMap((algorithm) => FORMATS.map((format) => ({ algorithm, ...format })));

    it.each(cases)(
      '$algorithm / $name: valid; one changed character is refused',
      async ({ algorithm, format, name }) => {
        const { templateId } = await createTemplate(ctx, {
          productId: products[algorithm],
          format,
          licensingMode: 1,
          licenseType: 'Standard',
          expireDays: 365,
          supportDays: 30,
          generateKeyInfo: format === 0,
          product: { version: '2.1' },
          features: [{ id: 'f1', name: 'Reports' }, { name: 'Export' }],
          fields: [{ name: 'Seats', value: '5' }],
          restrictions: [{ name: 'Hardware', properties: { machineId: 'M-1' } }],
        });
        const license = await createLicense(ctx, {
          templateId,
          licenseeName: 'Ada Lovelace',
          licenseeEmail: 'ada@example.com',
          maxAllowedSites: 2,
        });
        expect(license.licenseKeyId).toMatch(/^lic[0-9A-F]{8}$/);
        expect(license.userKey).toMatch(/^[A-Z0-9]{5}(-[A-Z0-9]{5}){3}$/);

        const result = verifyLicense(license.licenseKey, keys[algorithm].publicKeyPem, { machineId: 'M-1' });
        expect(result).toMatchObject({ valid: true, format: name, algorithm });
        expect(result.license).toMatchObject({
          licenseId: license.licenseKeyId,
          userKey: license.userKey,
          licenseType: 'Standard',
          licensingMode: 1,
          maxAllowedSites: 2,
          licensee: { name: 'Ada Lovelace', email: 'ada@example.com' },
          product: { id: String(products[algorithm]), version: '2.1' },
          features: [{ id: 'f1', name: 'Reports' }, { name: 'Export' }],
          fields: [{ name: 'Seats', value: '5' }],
        });
        const issued = Date.parse(result.license!.issueDate!);
        expect(Date.parse(result.license!.expireDate!) - issued).toBe(365 * 86400_000);
        expect(Date.parse(result.license!.supportExpireDate!) - issued).toBe(30 * 86400_000);
        if (format === 0) expect(license.licenseKey).toContain('<PublicKey>');
        else if (format === 1) expect(license.licenseKey).not.toContain('DEREncodedKeyValue');

        // Another machine, another key: refused.
        expect(verifyLicense(license.licenseKey, keys[algorithm].publicKeyPem, { machineId: 'M-2' }).valid).toBe(false);
        const otherAlgorithm = ALGORITHMS[(ALGORITHMS.indexOf(algorithm) + 1) % 3];
        expect(verifyLicense(license.licenseKey, keys[otherAlgorithm].publicKeyPem).valid).toBe(false);

        const tampered = tamper(license.licenseKey, format, license.licenseKeyId);
        expect(tampered).not.toBe(license.licenseKey);
        expect(tampered.length).toBe(license.licenseKey.length);
        const refused = verifyLicense(tampered, keys[algorithm].publicKeyPem);
        expect(refused.valid).toBe(false);

        const stored = await ctx.http
          .get('/v1/licenses')
          .query({ filter: `LicenseId == "${license.licenseKeyId}"` })
          .set(admin)
          .expect(200);
        expect(stored.body.licenses[0]).toMatchObject({
          id: license.licenseId,
          licenseKey: license.licenseKey,
          userKey: license.userKey,
          signatureKeysId: keys[algorithm].id,
          templateId,
          format,
        });
        expect(stored.body.licenses[0].hash).toMatch(/^[0-9a-f]{64}$/);
      },
    );

    it('the public key from SigningKeysService.describePublicKey verifies as well', async () => {
      const license = await createLicense(ctx, { product: { id: String(products.Ed25519) }, licenseeName: 'x' });
      const described = await ctx.app.get(SigningKeysService).describePublicKey(keys.Ed25519.id);
      expect(verifyLicense(license.licenseKey, described.publicKeyPem).valid).toBe(true);
    });
  });

  it('merges the request over the template: features by id, fields and restrictions by name', async () => {
    const { templateId } = await createTemplate(ctx, {
      productId: products.Ed25519,
      format: 2,
      userKey: 'K-{DEC:10}',
      issueDate: true,
      product: { name: 'Suite', version: '1.0' },
      components: ['core'],
      features: [
        { id: 'f1', name: 'Reports', data: 'template' },
        { id: 'f2', name: 'Export' },
      ],
      fields: [
        { name: 'Edition', value: 'Pro' },
        { name: 'Seats', value: '5' },
      ],
      restrictions: [
        { name: 'Hardware', properties: { machineId: 'A', cpu: 'x64' } },
        { name: 'Domain', properties: { domain: 'a.test' } },
      ],
    });
    const license = await createLicense(ctx, {
      templateId,
      product: { version: '1.1' },
      components: ['core', 'addon'],
      features: [{ id: 'f1', name: 'Reports v2', data: 'license' }, { name: 'Sync' }],
      fields: [{ name: 'Seats', value: '10' }],
      restrictions: [{ name: 'Hardware', properties: { machineId: 'B' } }],
      issueDate: '2030-01-01T00:00:00Z',
      expireDate: '2031-06-30T00:00:00Z',
    });
    expect(license.userKey).toMatch(/^K-\d{10}$/);
    const { license: content } = verifyLicense(license.licenseKey, keys.Ed25519.publicKeyPem, {
      now: new Date('2030-02-01T00:00:00Z'),
    });
    expect(content).toMatchObject({
      issueDate: '2030-01-01T00:00:00Z',
      expireDate: '2031-06-30T00:00:00Z',
      product: { id: String(products.Ed25519), name: 'Suite', version: '1.1' },
      components: ['core', 'addon'],
      features: [{ id: 'f1', name: 'Reports v2', data: 'license' }, { id: 'f2', name: 'Export' }, { name: 'Sync' }],
      fields: [
        { name: 'Edition', value: 'Pro' },
        { name: 'Seats', value: '10' },
      ],
      restrictions: [
        { name: 'Hardware', properties: { cpu: 'x64', machineId: 'B' } },
        { name: 'Domain', properties: { domain: 'a.test' } },
      ],
    });
  });

  it("fills the licensee from the customer (or the order's customer) and lists with includes", async () => {
    const customerId = await createCustomer(ctx, {
      firstName: 'Grace',
      lastName: 'Hopper',
      company: 'Navy Corp',
      email: 'grace@navy.test',
    });
    const orderId = await createOrder(ctx, customerId);
    const { templateId } = await createTemplate(ctx, { productId: products.ECDSA });
    const license = await createLicense(ctx, { templateId, orderId });
    const listed = await ctx.http
      .get('/v1/licenses')
      .query({ filter: `Id == ${license.licenseId}`, include: 'Customer, Order, Template, Product' })
      .set(admin)
      .expect(200);
    expect(listed.body.licenses[0]).toMatchObject({
      customerId,
      orderId,
      licenseeName: 'Grace Hopper',
      licenseeCompany: 'Navy Corp',
      licenseeEmail: 'grace@navy.test',
      licensee: { name: 'Grace Hopper', company: 'Navy Corp' },
      customer: { id: customerId, company: 'Navy Corp' },
      order: { id: orderId, customerId },
      template: { id: templateId },
      product: { id: String(products.ECDSA) },
    });
    const withoutInclude = await ctx.http
      .get('/v1/licenses')
      .query({ filter: `Id == ${license.licenseId}` })
      .set(admin)
      .expect(200);
    expect(withoutInclude.body.licenses[0].customer).toBeUndefined();

    for (const path of [
      `/v1/customers/${customerId}/licenses`,
      `/v1/orders/${orderId}/licenses`,
      `/v1/license-templates/${templateId}/licenses`,
    ]) {
      const scoped = await ctx.http.get(path).set(admin).expect(200);
      expect(scoped.body.totalLicensesCount).toBe(1);
      expect(scoped.body.licenses[0].id).toBe(license.licenseId);
    }
    await ctx.http.get('/v1/customers/999999/licenses').set(admin).expect(404);
    await ctx.http.get('/v1/orders/999999/licenses').set(admin).expect(404);
    const unknownTemplate = await ctx.http.get('/v1/license-templates/999999/licenses').set(admin).expect(404);
    expect(unknownTemplate.body).toEqual({
      success: false,
      code: expect.any(Number),
      message: 'License template 999999 does not exist',
    });

    // A customer or order with licenses cannot be deleted.
    await ctx.http.delete(`/v1/orders/${orderId}`).set(admin).expect(409);
    await ctx.http.delete(`/v1/customers/${customerId}`).set(admin).expect(409);
  });

  it('filters on indexed fields, sorts, selects, and refuses unknown fields', async () => {
    const email = `${unique('filter')}@example.com`;
    const customerId = await createCustomer(ctx);
    for (const mode of [0, 1, 2]) {
      await createLicense(ctx, {
        product: { id: String(products.Ed25519) },
        licenseeEmail: email,
        licensingMode: mode,
        customerId,
        revoked: mode === 2,
      });
    }
    const activeNonFile = await ctx.http
      .get('/v1/licenses')
      .query({
        filter: `LicenseeEmail == "${email}" && LicensingMode != "File" && Revoked == false`,
        select: 'id,licensingMode,licenseId',
      })
      .set(admin)
      .expect(200);
    expect(activeNonFile.body.totalLicensesCount).toBe(1);
    expect(Object.keys(activeNonFile.body.licenses[0]).sort()).toEqual(['id', 'licenseId', 'licensingMode']);
    const sorted = await ctx.http
      .get('/v1/licenses')
      .query({ filter: `CustomerId == ${customerId}`, sort: 'LicensingMode desc', take: 2 })
      .set(admin)
      .expect(200);
    expect(sorted.body.totalLicensesCount).toBe(3);
    expect(sorted.body.licenses.map((l: { licensingMode: number }) => l.licensingMode)).toEqual([2, 1]);
    const byCompany = await ctx.http
      .get('/v1/licenses')
      .query({ filter: `Customer.Id == ${customerId} && ExpireDate == null` })
      .set(admin)
      .expect(200);
    expect(byCompany.body.totalLicensesCount).toBe(3);
    await ctx.http.get('/v1/licenses').query({ filter: 'LicenseKey == "x"' }).set(admin).expect(400);
    await ctx.http.get('/v1/licenses').query({ include: 'Tokens' }).set(admin).expect(400);
  });

  it('answers 400 naming the member for unknown references and a license without any signature key', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ customerId: 999999 }, /license\.customerId/],
      [{ orderId: 999999 }, /license\.orderId/],
      [{ templateId: 999999 }, /license\.templateId/],
      [{ product: { id: '999999' } }, /license\.product\.id/],
      [{ signatureKeysId: 999999 }, /license\.signatureKeysId/],
      [
        { product: { id: 'not-a-row', name: 'Free text' } },
        /license\.signatureKeysId: the license has no signature key/,
      ],
    ];
    for (const [license, message] of cases) {
      const response = await ctx.http.post('/v1/licenses').set(admin).send({ license }).expect(400);
      expect(response.body).toMatchObject({ success: false, code: 107 });
      expect(response.body.message).toMatch(message);
    }
    const customerA = await createCustomer(ctx);
    const orderOfB = await createOrder(ctx, await createCustomer(ctx));
    const mismatch = await ctx.http
      .post('/v1/licenses')
      .set(admin)
      .send({ license: { customerId: customerA, orderId: orderOfB, signatureKeysId: keys.Ed25519.id } })
      .expect(400);
    expect(mismatch.body.message).toMatch(/license\.orderId: order \d+ belongs to customer/);
    const noSeats = await ctx.http
      .post('/v1/licenses')
      .set(admin)
      .send({ license: { signatureKeysId: keys.Ed25519.id, licensingMode: 1, maxAllowedSites: 0 } })
      .expect(400);
    expect(noSeats.body.message).toMatch(/maxAllowedSites/);
    const badFormat = await ctx.http
      .post('/v1/licenses')
      .set(admin)
      .send({ license: { signatureKeysId: keys.Ed25519.id, format: 9 } })
      .expect(400);
    expect(badFormat.body.message).toMatch(/license\.format/);
  });

  it('refuses a license id or user key already taken with 409', async () => {
    const first = await createLicense(ctx, {
      signatureKeysId: keys.Ed25519.id,
      licenseId: unique('LIC'),
      userKey: unique('UK'),
    });
    const sameId = await ctx.http
      .post('/v1/licenses')
      .set(admin)
      .send({ license: { signatureKeysId: keys.Ed25519.id, licenseId: first.licenseKeyId } })
      .expect(409);
    expect(sameId.body).toMatchObject({ code: 501 });
    expect(sameId.body.message).toMatch(/license\.licenseId/);
    const sameKey = await ctx.http
      .post('/v1/licenses')
      .set(admin)
      .send({ license: { signatureKeysId: keys.Ed25519.id, userKey: first.userKey } })
      .expect(409);
    expect(sameKey.body.message).toMatch(/license\.userKey/);
  });

  it('keeps old licenses valid with the old public key after the product gets a new key; re-signs only when signed content changes', async () => {
    const oldKey = await createSignatureKey(ctx, 'Ed25519');
    const newKey = await createSignatureKey(ctx, 'RSA');
    const productId = await createProduct(ctx, oldKey.id);
    const { templateId } = await createTemplate(ctx, { productId, format: 1 });
    const before = await createLicense(ctx, { templateId, licenseeName: 'Before' });

    const product = (
      await ctx.http
        .get('/v1/products')
        .query({ filter: `Id == ${productId}` })
        .set(admin)
        .expect(200)
    ).body.products[0];
    await ctx.http
      .put('/v1/products')
      .set(admin)
      .send({ product: { id: productId, name: product.name, signatureKeysId: newKey.id } })
      .expect(200);
    const after = await createLicense(ctx, { templateId, licenseeName: 'After' });

    expect(verifyLicense(before.licenseKey, oldKey.publicKeyPem).valid).toBe(true);
    expect(verifyLicense(before.licenseKey, newKey.publicKeyPem).valid).toBe(false);
    expect(verifyLicense(after.licenseKey, newKey.publicKeyPem)).toMatchObject({ valid: true, algorithm: 'RSA' });
    expect(verifyLicense(after.licenseKey, oldKey.publicKeyPem).valid).toBe(false);
    const listed = await ctx.http
      .get('/v1/licenses')
      .query({ filter: `TemplateId == ${templateId}`, sort: 'Id' })
      .set(admin)
      .expect(200);
    expect(listed.body.licenses.map((l: { signatureKeysId: number }) => l.signatureKeysId)).toEqual([
      oldKey.id,
      newKey.id,
    ]);

    // Not signed content: the license key stays byte for byte.
    const unsigned = await ctx.http
      .put('/v1/licenses')
      .set(admin)
      .send({ license: { id: before.licenseId, description: 'note', revoked: true, meta: '{}' } })
      .expect(200);
    expect(unsigned.body).toMatchObject({
      licenseKeyId: before.licenseKeyId,
      userKey: before.userKey,
      licenseKey: before.licenseKey,
    });
    // Signed content: signed anew, still with the key it was issued with.
    const resigned = await ctx.http
      .put('/v1/licenses')
      .set(admin)
      .send({ license: { id: before.licenseId, licenseeName: 'Renamed', features: [{ name: 'Extra' }] } })
      .expect(200);
    expect(resigned.body.licenseKey).not.toBe(before.licenseKey);
    const checked = verifyLicense(resigned.body.licenseKey, oldKey.publicKeyPem);
    expect(checked).toMatchObject({
      valid: true,
      license: { licensee: { name: 'Renamed' }, features: [{ name: 'Extra' }] },
    });
    const stored = await ctx.http
      .get('/v1/licenses')
      .query({ filter: `Id == ${before.licenseId}` })
      .set(admin)
      .expect(200);
    expect(stored.body.licenses[0]).toMatchObject({
      revoked: true,
      description: 'note',
      licenseKey: resigned.body.licenseKey,
      signatureKeysId: oldKey.id,
    });
    // The product's key cannot be deleted while licenses use it.
    await ctx.http.delete(`/v1/products/${productId}`).set(admin).expect(409);
  }, 30_000);

  it('generates many licenses at once (sharing commits) with distinct ids, and lets only one of two racing requests take a license id', async () => {
    const { templateId } = await createTemplate(ctx, { productId: products.Ed25519, format: 3 });
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        ctx.http
          .post('/v1/licenses')
          .set(admin)
          .send({ license: { templateId, licenseeName: `Bulk ${i}` } }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(30).fill(200));
    expect(new Set(responses.map((response) => response.body.licenseId)).size).toBe(30);
    expect(new Set(responses.map((response) => response.body.licenseKeyId)).size).toBe(30);
    responses.forEach((response, i) => {
      expect(verifyLicense(response.body.licenseKey, keys.Ed25519.publicKeyPem)).toMatchObject({
        valid: true,
        license: { licenseId: response.body.licenseKeyId, licensee: { name: `Bulk ${i}` } },
      });
    });
    const stored = await ctx.http
      .get(`/v1/license-templates/${templateId}/licenses`)
      .query({ take: 0 })
      .set(admin)
      .expect(200);
    expect(stored.body.totalLicensesCount).toBe(30);

    const licenseId = unique('RACE');
    const race = await Promise.all(
      [1, 2].map((n) =>
        ctx.http
          .post('/v1/licenses')
          .set(admin)
          .send({ license: { templateId, licenseId, licenseeName: `Racer ${n}` } }),
      ),
    );
    expect(race.map((response) => response.status).sort()).toEqual([200, 409]);
  });

  it('signs with the new key as soon as a signature key resource gets new key material', async () => {
    const key = await createSignatureKey(ctx, 'Ed25519');
    const before = await createLicense(ctx, { signatureKeysId: key.id, format: 2 });
    const replacement = generateKeyPairSync('ed25519');
    const privatePem = replacement.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const newPublicPem = replacement.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const resource = (
      await ctx.http
        .get('/v1/resources')
        .query({ filter: `Id == ${key.id}` })
        .set(admin)
        .expect(200)
    ).body.resources[0];
    await ctx.http
      .put('/v1/resources')
      .set(admin)
      .send({ resource: { id: key.id, name: resource.name, type: 'Ed25519', data: privatePem } })
      .expect(200);
    const after = await createLicense(ctx, { signatureKeysId: key.id, format: 2 });
    expect(verifyLicense(after.licenseKey, newPublicPem).valid).toBe(true);
    expect(verifyLicense(after.licenseKey, key.publicKeyPem).valid).toBe(false);
    expect(verifyLicense(before.licenseKey, key.publicKeyPem).valid).toBe(true);
  });

  it('PUT: 404 unknown, 400 without id, 409 on a taken license id', async () => {
    const a = await createLicense(ctx, { signatureKeysId: keys.Ed25519.id });
    const b = await createLicense(ctx, { signatureKeysId: keys.Ed25519.id });
    await ctx.http
      .put('/v1/licenses')
      .set(admin)
      .send({ license: { id: 999999, description: 'x' } })
      .expect(404);
    await ctx.http
      .put('/v1/licenses')
      .set(admin)
      .send({ license: { description: 'x' } })
      .expect(400);
    await ctx.http
      .put('/v1/licenses')
      .set(admin)
      .send({ license: { id: b.licenseId, licenseId: a.licenseKeyId } })
      .expect(409);
    const renamed = unique('NEWID');
    const changed = await ctx.http
      .put('/v1/licenses')
      .set(admin)
      .send({ license: { id: b.licenseId, licenseId: renamed } })
      .expect(200);
    expect(changed.body.licenseKeyId).toBe(renamed);
    expect(verifyLicense(changed.body.licenseKey, keys.Ed25519.publicKeyPem).license?.licenseId).toBe(renamed);
  });

  it('roles: Sales creates and reads licenses but cannot delete them; LicenseManager can; API key bits apply', async () => {
    const sales = await createUser(ctx, ['Sales']);
    const manager = await createUser(ctx, ['LicenseManager']);
    const customer = await createUser(ctx, ['Customer']);
    const created = await ctx.http
      .post('/v1/licenses')
      .set(bearer(sales.token))
      .send({ license: { signatureKeysId: keys.Ed25519.id } })
      .expect(200);
    await ctx.http.get('/v1/licenses').set(bearer(sales.token)).expect(200);
    await ctx.http
      .put('/v1/licenses')
      .set(bearer(sales.token))
      .send({ license: { id: created.body.licenseId, description: 'by sales' } })
      .expect(200);
    const denied = await ctx.http.delete(`/v1/licenses/${created.body.licenseId}`).set(bearer(sales.token)).expect(403);
    expect(denied.body.code).toBe(300);
    await ctx.http.get('/v1/licenses').set(bearer(customer.token)).expect(403);
    // Embedding shows the embedded record: Sales may not read templates, a LicenseManager may not read customers.
    const noTemplates = await ctx.http
      .get('/v1/licenses')
      .query({ include: 'Template' })
      .set(bearer(sales.token))
      .expect(403);
    expect(noTemplates.body.message).toMatch(/include=template/);
    await ctx.http
      .get('/v1/licenses')
      .query({ include: 'Customer,Order', take: 1 })
      .set(bearer(sales.token))
      .expect(200);
    await ctx.http.get('/v1/licenses').query({ include: 'Customer', take: 1 }).set(bearer(manager.token)).expect(403);
    await ctx.http
      .get('/v1/licenses')
      .query({ include: 'Template,Product', take: 1 })
      .set(bearer(manager.token))
      .expect(200);
    await ctx.http.delete(`/v1/licenses/${created.body.licenseId}`).set(bearer(manager.token)).expect(200);
    await ctx.http.delete(`/v1/licenses/${created.body.licenseId}`).set(bearer(manager.token)).expect(404);

    const readOnly = await createApiKey(ctx, 1);
    await ctx.http.get('/v1/licenses').set('x-api-key', readOnly.key).query({ take: 1 }).expect(200);
    await ctx.http
      .post('/v1/licenses')
      .set('x-api-key', readOnly.key)
      .send({ license: { signatureKeysId: keys.Ed25519.id } })
      .expect(403);
  }, 30_000);

  it('stores the key id it signed with and the hash of the license key', async () => {
    const license = await createLicense(ctx, { signatureKeysId: keys.ECDSA.id, format: 3 });
    const [row] = await ctx.app
      .get(DataSource)
      .query(
        "SELECT signing_key_id, hash, encode(sha256(convert_to(license_key, 'UTF8')), 'hex') AS computed FROM licenses WHERE id = $1",
        [license.licenseId],
      );
    expect(row.signing_key_id).toBe(verifyLicense(license.licenseKey, keys.ECDSA.publicKeyPem).keyId);
    expect(row.hash).toBe(row.computed);
  });
});
