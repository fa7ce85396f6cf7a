import { TestContext, bearer, createUser, startTestApp, unique } from './support/app';
import {
  createCustomer,
  createLicense,
  createProduct,
  createRelease,
  createSignatureKey,
  createTemplate,
} from './support/licensing';

/** The reference's example body, as an SDK generated from it would send. */
const REFERENCE_TEMPLATE = {
  id: 0,
  name: 'string',
  code: 'string',
  licenseType: 'string',
  format: 0,
  licensingMode: 0,
  licenseFileName: 'string',
  issueDate: true,
  expireDays: 0,
  supportDays: 0,
  generateKeyInfo: true,
  userKey: 'string-{TOKEN:8}',
  description: 'string',
  template: 'string',
  productId: 0,
  signatureKeysId: 0,
  releaseId: 0,
  product: {
    id: 'string',
    name: 'string',
    version: 'string',
    copyright: 'string',
    url: 'string',
    description: 'string',
  },
  components: ['string'],
  assemblies: [
    {
      id: 0,
      name: 'string',
      version: 'string',
      culture: 'string',
      publicKeyToken: 'string',
      mappingFileId: 0,
      debugSymbolsKey: 'string',
    },
  ],
  fields: [{ name: 'string', value: 'string' }],
  features: [
    {
      id: 'string',
      name: 'string',
      description: 'string',
      expireDate: '2019-08-24T14:15:22Z',
      key: 'string',
      data: 'string',
    },
  ],
  restrictions: [
    {
      id: 'string',
      name: 'string',
      expireDate: '2019-08-24T14:15:22Z',
      properties: { property1: 'string', property2: 'string' },
      customXmlContent: 'string',
    },
  ],
};

describe('License templates', () => {
  let ctx: TestContext;
  let admin: Record<string, string>;
  let keyId: number;
  let productId: number;

  beforeAll(async () => {
    ctx = await startTestApp();
    admin = bearer(ctx.adminToken);
    keyId = (await createSignatureKey(ctx, 'Ed25519')).id;
    productId = await createProduct(ctx, keyId);
  });
  afterAll(() => ctx.close());

  it('accepts the reference example (with real references), renders the XML template and returns it on insert, update and GET', async () => {
    const releaseId = await createRelease(ctx, productId);
    const body = {
      licenseTemplate: {
        ...REFERENCE_TEMPLATE,
        name: unique('Pro'),
        productId,
        releaseId,
        signatureKeysId: keyId,
        licensingMode: 1,
        format: 1,
        expireDays: 365,
        supportDays: 90,
      },
    };
    const inserted = await ctx.http
      .post('/v1/license-templates')
      .set(admin)
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify(body))
      .expect(200);
    expect(inserted.body).toMatchObject({ success: true, code: 0, templateId: expect.any(Number) });
    const xml: string = inserted.body.template;
    expect(xml).toContain(
      `<LicenseTemplate Name="${body.licenseTemplate.name}" Code="string" Format="XmlDsig" LicensingMode="Activation"`,
    );
    expect(xml).toContain('<UserKey>string-{TOKEN:8}</UserKey>');
    expect(xml).toContain('<ExpireDate>{IssueDate+365d}</ExpireDate>');
    expect(xml).toContain('<SupportExpireDate>{IssueDate+90d}</SupportExpireDate>');
    expect(xml).toMatch(/<Feature>\s*<Id>string<\/Id>\s*<Name>string<\/Name>/);
    expect(xml).toMatch(/<Restriction>[\s\S]*<Property Name="property1">string<\/Property>[\s\S]*<\/Restriction>/);
    expect(xml).toContain('<PublicKey>{PublicKey}</PublicKey>');

    const listed = await ctx.http
      .get('/v1/license-templates')
      .query({ filter: `Id == ${inserted.body.templateId}` })
      .set(admin)
      .expect(200);
    expect(listed.body.totalLicenseTemplatesCount).toBe(1);
    const template = listed.body.licenseTemplates[0];
    expect(template).toMatchObject({
      id: inserted.body.templateId,
      code: 'string',
      format: 1,
      licensingMode: 1,
      expireDays: 365,
      productId,
      releaseId,
      signatureKeysId: keyId,
      template: xml,
      product: { id: 'string', name: 'string' },
      components: ['string'],
      fields: [{ name: 'string', value: 'string' }],
      features: [{ id: 'string', name: 'string', expireDate: '2019-08-24T14:15:22Z' }],
      restrictions: [{ name: 'string', properties: { property1: 'string', property2: 'string' } }],
      assemblies: [{ name: 'string', mappingFileId: 0 }],
    });

    const updated = await ctx.http
      .put('/v1/license-templates')
      .set(admin)
      .send({
        licenseTemplate: {
          id: inserted.body.templateId,
          features: [{ name: 'Reports' }],
          licensingMode: 2,
          template: '<ignored/>',
        },
      })
      .expect(200);
    expect(updated.body.template).toContain('<Name>Reports</Name>');
    expect(updated.body.template).toContain('LicensingMode="Floating"');
    expect(updated.body.template).not.toContain('ignored');
    const again = await ctx.http
      .get('/v1/license-templates')
      .query({ filter: `Id == ${inserted.body.templateId}` })
      .set(admin)
      .expect(200);
    expect(again.body.licenseTemplates[0]).toMatchObject({
      template: updated.body.template,
      code: 'string',
      licensingMode: 2,
      features: [{ name: 'Reports' }],
    });
  });

  it('refuses bad input with 400 naming the member', async () => {
    const noName = await ctx.http
      .post('/v1/license-templates')
      .set(admin)
      .send({ licenseTemplate: { code: 'x' } })
      .expect(400);
    expect(noName.body.message).toMatch(/licenseTemplate\.name/);
    const badFormat = await ctx.http
      .post('/v1/license-templates')
      .set(admin)
      .send({ licenseTemplate: { name: 'x', userKey: '{NOPE:5}' } })
      .expect(400);
    expect(badFormat.body.message).toMatch(/licenseTemplate\.userKey/);
    const unknownProduct = await ctx.http
      .post('/v1/license-templates')
      .set(admin)
      .send({ licenseTemplate: { name: 'x', productId: 999999 } })
      .expect(400);
    expect(unknownProduct.body).toMatchObject({ code: 107 });
    expect(unknownProduct.body.message).toMatch(/licenseTemplate\.productId/);
    const unknownKey = await ctx.http
      .post('/v1/license-templates')
      .set(admin)
      .send({ licenseTemplate: { name: 'x', signatureKeysId: 999999 } })
      .expect(400);
    expect(unknownKey.body.message).toMatch(/licenseTemplate\.signatureKeysId/);
    const otherProduct = await createProduct(ctx, null);
    const foreignRelease = await createRelease(ctx, otherProduct);
    const mismatch = await ctx.http
      .post('/v1/license-templates')
      .set(admin)
      .send({ licenseTemplate: { name: 'x', productId, releaseId: foreignRelease } })
      .expect(400);
    expect(mismatch.body.message).toMatch(/licenseTemplate\.releaseId: release \d+ belongs to product/);
    const duplicateFeature = await ctx.http
      .post('/v1/license-templates')
      .set(admin)
      .send({ licenseTemplate: { name: 'x', features: [{ name: 'A' }, { name: 'A' }] } })
      .expect(400);
    expect(duplicateFeature.body.message).toMatch(/licenseTemplate\.features/);
    const unknownMember = await ctx.http
      .post('/v1/license-templates')
      .set(admin)
      .send({ licenseTemplate: { name: 'x', shoeSize: 44 } })
      .expect(400);
    expect(unknownMember.body.message).toMatch(/shoeSize/);
    await ctx.http
      .put('/v1/license-templates')
      .set(admin)
      .send({ licenseTemplate: { id: 999999, name: 'x' } })
      .expect(404);
  });

  it('lists the templates of a product release, 404 for a release of another product', async () => {
    const releaseA = await createRelease(ctx, productId, '2.0');
    const releaseB = await createRelease(ctx, productId, '3.0');
    const inA = await createTemplate(ctx, { productId, releaseId: releaseA });
    await createTemplate(ctx, { productId, releaseId: releaseB });
    // A release alone implies its product.
    const implied = await createTemplate(ctx, { releaseId: releaseA });
    const listed = await ctx.http
      .get(`/v1/products/${productId}/releases/${releaseA}/license-templates`)
      .query({ sort: 'Id desc' })
      .set(admin)
      .expect(200);
    expect(listed.body.totalLicenseTemplatesCount).toBe(2);
    expect(listed.body.licenseTemplates.map((t: { id: number }) => t.id)).toEqual([implied.templateId, inA.templateId]);
    expect(listed.body.licenseTemplates[0].productId).toBe(productId);
    const otherProduct = await createProduct(ctx, null);
    await ctx.http.get(`/v1/products/${otherProduct}/releases/${releaseA}/license-templates`).set(admin).expect(404);
    await ctx.http.get(`/v1/products/999999/releases/${releaseA}/license-templates`).set(admin).expect(404);
  });

  it('filters, sorts and selects', async () => {
    const code = unique('code');
    await createTemplate(ctx, { code, licensingMode: 1 });
    await createTemplate(ctx, { code, licensingMode: 2 });
    const floating = await ctx.http
      .get('/v1/license-templates')
      .query({ filter: `Code == "${code}" && LicensingMode == "Floating"`, select: 'id,licensingMode' })
      .set(admin)
      .expect(200);
    expect(floating.body.totalLicenseTemplatesCount).toBe(1);
    expect(Object.keys(floating.body.licenseTemplates[0]).sort()).toEqual(['id', 'licensingMode']);
    expect(floating.body.licenseTemplates[0].licensingMode).toBe(2);
    await ctx.http.get('/v1/license-templates').query({ filter: 'Template == "x"' }).set(admin).expect(400);

    // include=Product fills in from the product row what the template's own product member leaves out.
    const named = await createTemplate(ctx, { code, productId, product: { version: '9.9' } });
    const product = (
      await ctx.http
        .get('/v1/products')
        .query({ filter: `Id == ${productId}` })
        .set(admin)
        .expect(200)
    ).body.products[0];
    const included = await ctx.http
      .get('/v1/license-templates')
      .query({ filter: `Id == ${named.templateId}`, include: 'Product' })
      .set(admin)
      .expect(200);
    expect(included.body.licenseTemplates[0].product).toMatchObject({
      id: String(productId),
      name: product.name,
      version: '9.9',
    });
    const plain = await ctx.http
      .get('/v1/license-templates')
      .query({ filter: `Id == ${named.templateId}` })
      .set(admin)
      .expect(200);
    expect(plain.body.licenseTemplates[0].product).toMatchObject({ id: null, name: null, version: '9.9' });
    const byProductName = await ctx.http
      .get('/v1/license-templates')
      .query({ filter: `Product.Name == "${product.name}" && Code == "${code}"` })
      .set(admin)
      .expect(200);
    expect(byProductName.body.totalLicenseTemplatesCount).toBe(1);
  });

  it('deletes an unused template, refuses one licenses use with 409, 404 for an unknown one', async () => {
    const unused = await createTemplate(ctx, {});
    await ctx.http.delete(`/v1/license-templates/${unused.templateId}`).set(admin).expect(200);
    await ctx.http.delete(`/v1/license-templates/${unused.templateId}`).set(admin).expect(404);

    const used = await createTemplate(ctx, { productId });
    await createLicense(ctx, { templateId: used.templateId, customerId: await createCustomer(ctx) });
    const blocked = await ctx.http.delete(`/v1/license-templates/${used.templateId}`).set(admin).expect(409);
    expect(blocked.body).toMatchObject({ success: false, code: 502 });
    expect(blocked.body.message).toMatch(/used by 1 license/);
    const licenses = await ctx.http.get(`/v1/license-templates/${used.templateId}/licenses`).set(admin).expect(200);
    expect(licenses.body.totalLicensesCount).toBe(1);
  });

  it('belongs to the licensing area: LicenseManager yes, Sales no', async () => {
    const manager = await createUser(ctx, ['LicenseManager']);
    const sales = await createUser(ctx, ['Sales']);
    await ctx.http
      .post('/v1/license-templates')
      .set(bearer(manager.token))
      .send({ licenseTemplate: { name: unique('lm') } })
      .expect(200);
    await ctx.http.get('/v1/license-templates').set(bearer(manager.token)).expect(200);
    await ctx.http.get('/v1/license-templates').set(bearer(sales.token)).expect(403);
    await ctx.http
      .post('/v1/license-templates')
      .set(bearer(sales.token))
      .send({ licenseTemplate: { name: unique('s') } })
      .expect(403);
  }, 30_000);
});
