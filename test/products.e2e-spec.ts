import { TestContext, bearer, createApiKey, createUser, startTestApp, unique } from './support/app';
import { createProduct, createSignatureKey } from './support/licensing';
import { referenceExample } from './support/reference-examples';

type Body = Record<string, unknown>;

describe('Catalogue: products, releases, assemblies', () => {
  let ctx: TestContext;
  let admin: Record<string, string>;

  beforeAll(async () => {
    ctx = await startTestApp();
    admin = bearer(ctx.adminToken);
  });
  afterAll(() => ctx.close());

  async function insertRelease(productId: number, release: Body = {}): Promise<number> {
    const response = await ctx.http
      .post(`/v1/products/${productId}/releases`)
      .set(admin)
      .send({ release: { name: unique('release'), ...release } });
    expect(response.status).toBe(200);
    return response.body.releaseId;
  }

  async function addAssembly(productId: number, releaseId: number, assembly: Body): Promise<number> {
    const response = await ctx.http
      .post(`/v1/products/${productId}/releases/${releaseId}/assemblies`)
      .set(admin)
      .send({ assembly });
    expect(response.status).toBe(200);
    return response.body.assemblyId;
  }

  const referenceCustomer = referenceExample('POST /v1/customers').customer;

  /** The reference's example body, with a code of our own so repeated runs do not collide. */
  function referenceProduct(code: string, signatureKeysId: number): Body {
    return {
      id: 0,
      code,
      name: 'string',
      description: 'string',
      url: 'string',
      copyright: 'string',
      createdAt: '2019-08-24T14:15:22Z',
      image: 'string',
      price: 0.1,
      resellerPrice: 0.1,
      currency: 'string',
      signatureKeysId,
      meta: 'string',
      signatureKeys: {
        id: 0,
        name: 'string',
        type: 'string',
        code: 'string',
        description: 'string',
        source: 'string',
        password: 'string',
        createdAt: '2019-08-24T14:15:22Z',
        updatedAt: '2019-08-24T14:15:22Z',
        data: 'string',
        dataFormat: 'string',
        meta: 'string',
      },
      productOrders: [
        {
          productId: 0,
          orderId: 0,
          quantity: 0,
          unitPrice: 0.1,
          discount: 0.1,
          taxes: 0.1,
          description: 'string',
          product: {},
          order: {
            id: 0,
            orderNumber: 'string',
            status: 'string',
            processedBy: 'string',
            purchaseOrder: 'string',
            total: 0.1,
            currency: 'string',
            createdAt: '2019-08-24T14:15:22Z',
            updatedAt: '2019-08-24T14:15:22Z',
            invoiceNumber: 'string',
            paymentType: 'string',
            paymentNumber: 'string',
            paymentStatus: 'string',
            paymentDate: '2019-08-24T14:15:22Z',
            description: 'string',
            customerId: 0,
            customer: referenceCustomer,
            resellerId: 0,
          },
        },
      ],
    };
  }

  describe('products', () => {
    it('accepts the reference example bodies for insert and update, embeds the signature key without private material', async () => {
      const keyId = (await createSignatureKey(ctx)).id;
      const code = unique('REF');
      const inserted = await ctx.http
        .post('/v1/products')
        .set(admin)
        .set('Content-Type', 'application/json-patch+json')
        .send(JSON.stringify({ product: referenceProduct(code, keyId) }))
        .expect(200);
      expect(inserted.body).toMatchObject({ success: true, code: 0 });
      const productId = inserted.body.productId;
      expect(productId).toBeGreaterThan(0);

      const listed = await ctx.http
        .get('/v1/products')
        .query({ filter: `Id == ${productId}`, include: 'SignatureKeys' })
        .set(admin)
        .expect(200);
      expect(listed.body.totalProductsCount).toBe(1);
      const product = listed.body.products[0];
      expect(product).toMatchObject({
        id: productId,
        code,
        name: 'string',
        price: 0.1,
        resellerPrice: 0.1,
        signatureKeysId: keyId,
      });
      expect(new Date(product.createdAt).getFullYear()).toBeGreaterThanOrEqual(2026);
      expect(product.signatureKeys).toMatchObject({ id: keyId, type: 'Ed25519' });
      expect(product.signatureKeys.data).toMatch(/BEGIN PUBLIC KEY/);
      expect(JSON.stringify(listed.body)).not.toMatch(/PRIVATE KEY|privateKey/i);
      expect(product.productOrders).toBeUndefined();

      const updated = await ctx.http
        .put('/v1/products')
        .set(admin)
        .send({ product: { ...referenceProduct(code, keyId), id: productId, name: 'Renamed', price: 12.3456 } })
        .expect(200);
      expect(updated.body).toMatchObject({ success: true, code: 0 });
      const after = await ctx.http
        .get('/v1/products')
        .query({ filter: `Id == ${productId}` })
        .set(admin)
        .expect(200);
      expect(after.body.products[0]).toMatchObject({ name: 'Renamed', price: 12.3456, createdAt: product.createdAt });
    });

    it('checks the signature key reference: unknown or not a key → 400 naming product.signatureKeysId; 0 means none', async () => {
      const unknown = await ctx.http
        .post('/v1/products')
        .set(admin)
        .send({ product: { name: unique('p'), signatureKeysId: 999999 } })
        .expect(400);
      expect(unknown.body).toMatchObject({ success: false, code: 107 });
      expect(unknown.body.message).toMatch(/product\.signatureKeysId/);

      const file = await ctx.http
        .post('/v1/resources')
        .set(admin)
        .send({ resource: { name: unique('file'), type: 'file', dataFormat: 'text', data: 'hello' } })
        .expect(200);
      const notKey = await ctx.http
        .post('/v1/products')
        .set(admin)
        .send({ product: { name: unique('p'), signatureKeysId: file.body.resourceId } })
        .expect(400);
      expect(notKey.body.message).toMatch(/product\.signatureKeysId.*not a signature key/);

      const productId = await createProduct(ctx, null, { signatureKeysId: 0 });
      const listed = await ctx.http
        .get('/v1/products')
        .query({ filter: `Id == ${productId}`, include: 'signatureKeys' })
        .set(admin)
        .expect(200);
      expect(listed.body.products[0]).toMatchObject({ signatureKeysId: null, signatureKeys: null });

      const update = await ctx.http
        .put('/v1/products')
        .set(admin)
        .send({ product: { id: productId, signatureKeysId: 999999 } })
        .expect(400);
      expect(update.body.message).toMatch(/product\.signatureKeysId/);
    });

    it('refuses a duplicate code regardless of case (409), an unknown id (404) and a missing name (400)', async () => {
      const code = unique('DUP');
      const productId = await createProduct(ctx, null, { code });
      const again = await ctx.http
        .post('/v1/products')
        .set(admin)
        .send({ product: { name: 'x', code: code.toLowerCase() } })
        .expect(409);
      expect(again.body).toMatchObject({ success: false, code: 501 });
      expect(again.body.message).toMatch(/product\.code/);
      const other = await createProduct(ctx, null);
      await ctx.http
        .put('/v1/products')
        .set(admin)
        .send({ product: { id: other, code: code.toUpperCase() } })
        .expect(409);
      await ctx.http
        .put('/v1/products')
        .set(admin)
        .send({ product: { id: productId, code: code.toUpperCase() } })
        .expect(200);

      const missing = await ctx.http
        .put('/v1/products')
        .set(admin)
        .send({ product: { id: 999999, name: 'x' } })
        .expect(404);
      expect(missing.body).toMatchObject({ success: false, code: 400 });
      await ctx.http.delete('/v1/products/999999').set(admin).expect(404);
      const nameless = await ctx.http
        .post('/v1/products')
        .set(admin)
        .send({ product: { code: unique('n') } })
        .expect(400);
      expect(nameless.body.message).toMatch(/product\.name/);
      const negative = await ctx.http
        .post('/v1/products')
        .set(admin)
        .send({ product: { name: 'x', price: -1 } })
        .expect(400);
      expect(negative.body.message).toMatch(/price/);
    });

    it('filters (money as numbers, dates as instants, relations), sorts, selects, pages with the right totals', async () => {
      const prefix = unique('LIST');
      const before = new Date(Date.now() - 1000).toISOString();
      const keyId = (await createSignatureKey(ctx)).id;
      const prices = { a: 10, b: 2.5, c: 100.25, d: 9.99 };
      const ids: Record<string, number> = {};
      for (const [suffix, price] of Object.entries(prices))
        ids[suffix] = await createProduct(ctx, null, {
          code: `${prefix}-${suffix}`,
          price,
          signatureKeysId: suffix === 'c' ? keyId : null,
        });

      const filter = `Code.StartsWith("${prefix}") && Price >= 9.99 && CreatedAt >= "${before}"`;
      const all = await ctx.http.get('/v1/products').query({ filter, sort: 'Price desc' }).set(admin).expect(200);
      expect(all.body.totalProductsCount).toBe(3);
      expect(all.body.products.map((p: Body) => p.price)).toEqual([100.25, 10, 9.99]);

      // 10 > 9.99 numerically although "10" < "9.99" as text.
      const numeric = await ctx.http
        .get('/v1/products')
        .query({ filter: `Code.StartsWith("${prefix}") && Price > 9.995` })
        .set(admin)
        .expect(200);
      expect(numeric.body.products.map((p: Body) => p.id).sort()).toEqual([ids.a, ids.c].sort());

      const page = await ctx.http
        .get('/v1/products')
        .query({ filter, sort: 'Price asc', take: 1, skip: 1, select: 'Id,Price' })
        .set(admin)
        .expect(200);
      expect(page.body.totalProductsCount).toBe(3);
      expect(page.body.products).toEqual([{ id: ids.a, price: 10 }]);

      const byKey = await ctx.http
        .get('/v1/products')
        .query({
          filter: `Code.StartsWith("${prefix}") && SignatureKeys.Type == "Ed25519"`,
          include: 'SignatureKeys',
          select: 'id',
        })
        .set(admin)
        .expect(200);
      expect(byKey.body.totalProductsCount).toBe(1);
      expect(byKey.body.products[0]).toMatchObject({ id: ids.c, signatureKeys: { id: keyId } });

      const future = await ctx.http
        .get('/v1/products')
        .query({ filter: `Code.StartsWith("${prefix}") && CreatedAt > "2999-01-01T00:00:00Z"` })
        .set(admin)
        .expect(200);
      expect(future.body).toMatchObject({ products: [], totalProductsCount: 0 });

      const badFilter = await ctx.http.get('/v1/products').query({ filter: 'Price == "cheap"' }).set(admin).expect(400);
      expect(badFilter.body.code).toBe(102);
      await ctx.http
        .get('/v1/products')
        .query({ filter: 'SignatureKeys.Data.Contains("PRIVATE")' })
        .set(admin)
        .expect(400);
      await ctx.http.get('/v1/products').query({ include: 'Releases' }).set(admin).expect(400);
    });

    it('blocks deleting a product that has releases (409 naming them) and deletes it once they are gone', async () => {
      const productId = await createProduct(ctx, null);
      const releaseId = await insertRelease(productId);
      const blocked = await ctx.http.delete(`/v1/products/${productId}`).set(admin).expect(409);
      expect(blocked.body).toMatchObject({ success: false, code: 502 });
      expect(blocked.body.message).toBe(`product ${productId} has 1 release; remove them first`);

      await ctx.http.delete(`/v1/products/${productId}/releases/${releaseId}`).set(admin).expect(200);
      await ctx.http.delete(`/v1/products/${productId}`).set(admin).expect(200);
      const gone = await ctx.http
        .get('/v1/products')
        .query({ filter: `Id == ${productId}` })
        .set(admin)
        .expect(200);
      expect(gone.body.totalProductsCount).toBe(0);
      await ctx.http.delete(`/v1/products/${productId}`).set(admin).expect(404);
    });
  });

  describe('releases', () => {
    it('accepts the reference bodies, answers releaseId on insert and update, and lists with filter/sort/paging', async () => {
      const productId = await createProduct(ctx, null);
      const reference = {
        id: 0,
        releaseDate: '2019-08-24T14:15:22Z',
        name: 'string',
        version: 'string',
        description: 'string',
      };
      const inserted = await ctx.http
        .post(`/v1/products/${productId}/releases`)
        .set(admin)
        .send({ release: reference })
        .expect(200);
      const releaseId = inserted.body.releaseId;
      expect(releaseId).toBeGreaterThan(0);
      const updated = await ctx.http
        .put(`/v1/products/${productId}/releases`)
        .set(admin)
        .send({ release: { ...reference, id: releaseId, version: '1.0.0' } })
        .expect(200);
      expect(updated.body).toMatchObject({ success: true, releaseId });

      await insertRelease(productId, { version: '2.0.0', releaseDate: '2024-06-01T00:00:00Z' });
      await insertRelease(productId, { version: '3.0.0', releaseDate: '2025-06-01T00:00:00Z' });
      const recent = await ctx.http
        .get(`/v1/products/${productId}/releases`)
        .query({ filter: 'ReleaseDate >= "2024-01-01"', sort: 'ReleaseDate desc' })
        .set(admin)
        .expect(200);
      expect(recent.body.totalReleasesCount).toBe(2);
      expect(recent.body.releases.map((r: Body) => r.version)).toEqual(['3.0.0', '2.0.0']);
      const page = await ctx.http
        .get(`/v1/products/${productId}/releases`)
        .query({ sort: 'Version', take: 2, skip: 1, select: 'version' })
        .set(admin)
        .expect(200);
      expect(page.body.totalReleasesCount).toBe(3);
      expect(page.body.releases).toEqual([{ version: '2.0.0' }, { version: '3.0.0' }]);
      const first = await ctx.http
        .get(`/v1/products/${productId}/releases`)
        .query({ filter: `Id == ${releaseId}` })
        .set(admin)
        .expect(200);
      expect(first.body.releases[0]).toEqual({
        id: releaseId,
        releaseDate: '2019-08-24T14:15:22.000Z',
        name: 'string',
        version: '1.0.0',
        description: 'string',
      });
    });

    it('answers 404 for an unknown product or a release of another product', async () => {
      const productId = await createProduct(ctx, null);
      const otherProductId = await createProduct(ctx, null);
      const releaseId = await insertRelease(productId);
      await ctx.http.get('/v1/products/999999/releases').set(admin).expect(404);
      await ctx.http
        .post('/v1/products/999999/releases')
        .set(admin)
        .send({ release: { name: 'x' } })
        .expect(404);
      await ctx.http
        .put(`/v1/products/${otherProductId}/releases`)
        .set(admin)
        .send({ release: { id: releaseId, name: 'hijack' } })
        .expect(404);
      await ctx.http.delete(`/v1/products/${otherProductId}/releases/${releaseId}`).set(admin).expect(404);
      await ctx.http.get(`/v1/products/${otherProductId}/releases/${releaseId}/assemblies`).set(admin).expect(404);
      const listed = await ctx.http.get(`/v1/products/${productId}/releases`).set(admin).expect(200);
      expect(listed.body.releases[0].name).not.toBe('hijack');
    });
  });

  describe('assemblies', () => {
    it('creates assemblies in a release, shares one with a second release, and lists them per release', async () => {
      const productId = await createProduct(ctx, null);
      const release1 = await insertRelease(productId, { version: '1.0' });
      const release2 = await insertRelease(productId, { version: '2.0' });
      const reference = {
        id: 0,
        name: unique('Acme.Core'),
        version: 'string',
        culture: 'string',
        publicKeyToken: 'string',
        mappingFileId: 0,
        debugSymbolsKey: 'string',
      };
      const inserted = await ctx.http
        .post(`/v1/products/${productId}/releases/${release1}/assemblies`)
        .set(admin)
        .send({ productId: 0, releaseId: 0, assembly: reference })
        .expect(200);
      const core = inserted.body.assemblyId;
      expect(core).toBeGreaterThan(0);
      const ui = await addAssembly(productId, release1, { name: unique('Acme.UI'), version: '1.0.0.0' });

      // An existing assembly is attached by id; attaching it twice is a conflict.
      expect(await addAssembly(productId, release2, { id: core })).toBe(core);
      const twice = await ctx.http
        .post(`/v1/products/${productId}/releases/${release2}/assemblies`)
        .set(admin)
        .send({ assembly: { id: core } })
        .expect(409);
      expect(twice.body).toMatchObject({ code: 501 });
      const unknown = await ctx.http
        .post(`/v1/products/${productId}/releases/${release2}/assemblies`)
        .set(admin)
        .send({ assembly: { id: 999999 } })
        .expect(400);
      expect(unknown.body.message).toMatch(/assembly\.id/);
      const mismatch = await ctx.http
        .post(`/v1/products/${productId}/releases/${release2}/assemblies`)
        .set(admin)
        .send({ releaseId: release1, assembly: { name: 'x' } })
        .expect(400);
      expect(mismatch.body.message).toMatch(/releaseId/);

      const inFirst = await ctx.http
        .get(`/v1/products/${productId}/releases/${release1}/assemblies`)
        .query({ sort: 'Name desc' })
        .set(admin)
        .expect(200);
      expect(inFirst.body.totalAssembliesCount).toBe(2);
      expect(inFirst.body.assemblies.map((a: Body) => a.id)).toEqual([ui, core]);
      const filtered = await ctx.http
        .get(`/v1/products/${productId}/releases/${release1}/assemblies`)
        .query({ filter: 'Version == "1.0.0.0"', select: 'id,name' })
        .set(admin)
        .expect(200);
      expect(filtered.body.totalAssembliesCount).toBe(1);
      expect(Object.keys(filtered.body.assemblies[0]).sort()).toEqual(['id', 'name']);
      const paged = await ctx.http
        .get(`/v1/products/${productId}/releases/${release1}/assemblies`)
        .query({ sort: 'Id', take: 1, skip: 1 })
        .set(admin)
        .expect(200);
      expect(paged.body).toMatchObject({ totalAssembliesCount: 2, assemblies: [{ id: ui }] });
      const inSecond = await ctx.http
        .get(`/v1/products/${productId}/releases/${release2}/assemblies`)
        .set(admin)
        .expect(200);
      expect(inSecond.body.assemblies.map((a: Body) => a.id)).toEqual([core]);

      // An update through one release shows in every release the assembly ships in.
      const updated = await ctx.http
        .put(`/v1/products/${productId}/releases/${release1}/assemblies`)
        .set(admin)
        .send({ assembly: { ...reference, id: core, version: '9.9.9.9' } })
        .expect(200);
      expect(updated.body).toMatchObject({ success: true, assemblyId: core });
      const seen = await ctx.http
        .get(`/v1/products/${productId}/releases/${release2}/assemblies`)
        .set(admin)
        .expect(200);
      expect(seen.body.assemblies[0]).toMatchObject({ id: core, version: '9.9.9.9', mappingFileId: null });
      await ctx.http
        .put(`/v1/products/${productId}/releases/${release2}/assemblies`)
        .set(admin)
        .send({ assembly: { id: ui, name: 'x' } })
        .expect(404);

      // Removing from a release keeps the assembly; removing again is 404.
      await ctx.http.delete(`/v1/products/${productId}/releases/${release1}/assemblies/${ui}`).set(admin).expect(200);
      await ctx.http.delete(`/v1/products/${productId}/releases/${release1}/assemblies/${ui}`).set(admin).expect(404);
      const stillThere = await ctx.http
        .get('/v1/assemblies')
        .query({ filter: `Id == ${ui}` })
        .set(admin)
        .expect(200);
      expect(stillThere.body.totalAssembliesCount).toBe(1);

      // Deleting a release takes its links, not the assemblies.
      await ctx.http.delete(`/v1/products/${productId}/releases/${release2}`).set(admin).expect(200);
      const coreStays = await ctx.http
        .get('/v1/assemblies')
        .query({ filter: `Id == ${core}` })
        .set(admin)
        .expect(200);
      expect(coreStays.body.totalAssembliesCount).toBe(1);
    });

    it('serves /v1/assemblies: reference bodies, references checked, delete takes the release links', async () => {
      const reference = {
        id: 0,
        name: unique('Lib'),
        version: 'string',
        culture: 'string',
        publicKeyToken: 'string',
        mappingFileId: 0,
        debugSymbolsKey: 'string',
      };
      const inserted = await ctx.http.post('/v1/assemblies').set(admin).send({ assembly: reference }).expect(200);
      const assemblyId = inserted.body.assemblyId;
      const mapping = await ctx.http
        .post('/v1/resources')
        .set(admin)
        .send({ resource: { name: unique('map'), type: 'file', dataFormat: 'text', data: 'a -> b' } })
        .expect(200);
      await ctx.http
        .put('/v1/assemblies')
        .set(admin)
        .send({ assembly: { ...reference, id: assemblyId, mappingFileId: mapping.body.resourceId } })
        .expect(200);
      const listed = await ctx.http
        .get('/v1/assemblies')
        .query({ filter: `Id == ${assemblyId}` })
        .set(admin)
        .expect(200);
      expect(listed.body.assemblies[0]).toEqual({
        ...reference,
        id: assemblyId,
        mappingFileId: mapping.body.resourceId,
      });

      const badMapping = await ctx.http
        .post('/v1/assemblies')
        .set(admin)
        .send({ assembly: { name: 'x', mappingFileId: 999999 } })
        .expect(400);
      expect(badMapping.body).toMatchObject({ code: 107 });
      expect(badMapping.body.message).toMatch(/assembly\.mappingFileId/);
      await ctx.http
        .post('/v1/assemblies')
        .set(admin)
        .send({ assembly: { version: '1' } })
        .expect(400);
      await ctx.http
        .put('/v1/assemblies')
        .set(admin)
        .send({ assembly: { id: 999999, name: 'x' } })
        .expect(404);
      await ctx.http.delete('/v1/assemblies/999999').set(admin).expect(404);

      const prefix = unique('Pg');
      for (const suffix of ['c', 'a', 'b'])
        await ctx.http
          .post('/v1/assemblies')
          .set(admin)
          .send({ assembly: { name: `${prefix}.${suffix}`, culture: suffix === 'b' ? 'de' : 'neutral' } })
          .expect(200);
      const page = await ctx.http
        .get('/v1/assemblies')
        .query({ filter: `Name.StartsWith("${prefix}") && Culture == "neutral"`, sort: 'Name', take: 1, skip: 1 })
        .set(admin)
        .expect(200);
      expect(page.body.totalAssembliesCount).toBe(2);
      expect(page.body.assemblies.map((a: Body) => a.name)).toEqual([`${prefix}.c`]);

      const productId = await createProduct(ctx, null);
      const releaseId = await insertRelease(productId);
      await addAssembly(productId, releaseId, { id: assemblyId });
      await ctx.http.delete(`/v1/assemblies/${assemblyId}`).set(admin).expect(200);
      const release = await ctx.http
        .get(`/v1/products/${productId}/releases/${releaseId}/assemblies`)
        .set(admin)
        .expect(200);
      expect(release.body.totalAssembliesCount).toBe(0);
    });
  });

  describe('access', () => {
    it('lets an API key with Read only list products but not insert (403)', async () => {
      const readOnly = await createApiKey(ctx, 1);
      await ctx.http.get('/v1/products').set('x-api-key', readOnly.key).expect(200);
      const refused = await ctx.http
        .post('/v1/products')
        .set('x-api-key', readOnly.key)
        .send({ product: { name: unique('p') } })
        .expect(403);
      expect(refused.body.message).toMatch(/Create/);
      await ctx.http
        .post('/v1/assemblies')
        .set('x-api-key', readOnly.key)
        .send({ assembly: { name: 'x' } })
        .expect(403);
    });

    it('follows the role table: LicenseManager manages the catalogue, Sales reads products only', async () => {
      const manager = await createUser(ctx, ['LicenseManager']);
      const sales = await createUser(ctx, ['Sales']);
      const inserted = await ctx.http
        .post('/v1/products')
        .set(bearer(manager.token))
        .send({ product: { name: unique('lm') } })
        .expect(200);
      await ctx.http
        .post(`/v1/products/${inserted.body.productId}/releases`)
        .set(bearer(manager.token))
        .send({ release: { name: 'r' } })
        .expect(200);
      await ctx.http.get('/v1/products').set(bearer(sales.token)).expect(200);
      await ctx.http
        .post('/v1/products')
        .set(bearer(sales.token))
        .send({ product: { name: 'x' } })
        .expect(403);
      await ctx.http.get(`/v1/products/${inserted.body.productId}/releases`).set(bearer(sales.token)).expect(403);
      await ctx.http.get('/v1/assemblies').set(bearer(sales.token)).expect(403);
      // Order lines are commerce data: a LicenseManager may not pull them in through include.
      await ctx.http.get('/v1/products').query({ include: 'ProductOrders' }).set(bearer(manager.token)).expect(403);
      await ctx.http.get('/v1/products').query({ include: 'ProductOrders' }).set(bearer(sales.token)).expect(200);
    });
  });
});
