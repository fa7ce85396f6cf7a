import { DataSource } from 'typeorm';
import { TestContext, bearer, startTestApp } from './support/app';
import {
  createCustomer,
  createLicense,
  createOrder,
  createProduct,
  createRelease,
  createSignatureKey,
  createTemplate,
} from './support/licensing';

/**
 * Every referrer of the delete rules, one at a time: while it exists the delete answers 409 InUse naming exactly
 * that referrer (the database's own RESTRICT would answer a 409 too, but without saying what blocks it), the
 * record stays, and once the referrer is gone the delete goes through. Each case names the foreign key it covers;
 * a new RESTRICT key without a case (and a rule naming it) fails the last test.
 */
interface Case {
  /** DELETE path of the record, what the refusal says, and how to remove the one referrer again. */
  record: string;
  message: string;
  removeReferrer: string;
}

describe('delete rules: each referrer blocks its delete', () => {
  let ctx: TestContext;
  let admin: Record<string, string>;
  beforeAll(async () => {
    ctx = await startTestApp();
    admin = bearer(ctx.adminToken);
  });
  afterAll(() => ctx.close());

  const productBlocked = (productId: number, what: string, removeReferrer: string): Case => ({
    record: `/v1/products/${productId}`,
    message: `product ${productId} has 1 ${what}; remove them first`,
    removeReferrer,
  });
  const customerBlocked = (customerId: number, what: string, removeReferrer: string): Case => ({
    record: `/v1/customers/${customerId}`,
    message: `customer ${customerId} has 1 ${what}; delete or reassign them first`,
    removeReferrer,
  });
  const resourceBlocked = (resourceId: number, what: string, removeReferrer: string): Case => ({
    record: `/v1/resources/${resourceId}`,
    message: `resource ${resourceId} has 1 ${what}; point them at another key first`,
    removeReferrer,
  });

  const cases: Array<[string, string, () => Promise<Case>]> = [
    [
      'product ← order line',
      'products <- order_products.product_id',
      async () => {
        const productId = await createProduct(ctx, null);
        const orderId = await createOrder(ctx, await createCustomer(ctx));
        await ctx.http
          .post(`/v1/orders/${orderId}/products/${productId}`)
          .set(admin)
          .send({ productOrder: { quantity: 1 } })
          .expect(200);
        return productBlocked(productId, 'order line', `/v1/orders/${orderId}/products/${productId}`);
      },
    ],
    [
      'product ← release',
      'products <- product_releases.product_id',
      async () => {
        const productId = await createProduct(ctx, null);
        const releaseId = await createRelease(ctx, productId);
        return productBlocked(productId, 'release', `/v1/products/${productId}/releases/${releaseId}`);
      },
    ],
    [
      'product ← license template',
      'products <- license_templates.product_id',
      async () => {
        const productId = await createProduct(ctx, null);
        const { templateId } = await createTemplate(ctx, { productId });
        return productBlocked(productId, 'license template', `/v1/license-templates/${templateId}`);
      },
    ],
    [
      'product ← license',
      'products <- licenses.product_id',
      async () => {
        const productId = await createProduct(ctx, null);
        const key = await createSignatureKey(ctx);
        const { licenseId } = await createLicense(ctx, { product: { id: String(productId) }, signatureKeysId: key.id });
        return productBlocked(productId, 'license', `/v1/licenses/${licenseId}`);
      },
    ],
    [
      'customer ← order',
      'customers <- orders.customer_id',
      async () => {
        const customerId = await createCustomer(ctx);
        const orderId = await createOrder(ctx, customerId);
        return customerBlocked(customerId, 'order', `/v1/orders/${orderId}`);
      },
    ],
    [
      'customer ← license',
      'customers <- licenses.customer_id',
      async () => {
        const customerId = await createCustomer(ctx);
        const key = await createSignatureKey(ctx);
        const { licenseId } = await createLicense(ctx, { customerId, signatureKeysId: key.id });
        return customerBlocked(customerId, 'license', `/v1/licenses/${licenseId}`);
      },
    ],
    [
      'customer ← order resold by it',
      'customers <- orders.reseller_id',
      async () => {
        const resellerId = await createCustomer(ctx);
        const order = await ctx.http
          .post('/v1/orders')
          .set(admin)
          .send({ order: { customerId: await createCustomer(ctx), resellerId } })
          .expect(200);
        return customerBlocked(resellerId, 'resold order', `/v1/orders/${order.body.orderId}`);
      },
    ],
    [
      'order ← license',
      'orders <- licenses.order_id',
      async () => {
        const orderId = await createOrder(ctx, await createCustomer(ctx));
        const key = await createSignatureKey(ctx);
        const { licenseId } = await createLicense(ctx, { orderId, signatureKeysId: key.id });
        return {
          record: `/v1/orders/${orderId}`,
          message: `order ${orderId} has 1 license; delete or move those licenses first`,
          removeReferrer: `/v1/licenses/${licenseId}`,
        };
      },
    ],
    [
      'release ← license template',
      'product_releases <- license_templates.release_id',
      async () => {
        const productId = await createProduct(ctx, null);
        const releaseId = await createRelease(ctx, productId);
        const { templateId } = await createTemplate(ctx, { productId, releaseId });
        return {
          record: `/v1/products/${productId}/releases/${releaseId}`,
          message: `release ${releaseId} has 1 license template; remove them or move them to another release first`,
          removeReferrer: `/v1/license-templates/${templateId}`,
        };
      },
    ],
    [
      'resource ← product signing with it',
      'resources <- products.signature_keys_id',
      async () => {
        const key = await createSignatureKey(ctx);
        const productId = await createProduct(ctx, key.id);
        return resourceBlocked(key.id, 'product signing with it', `/v1/products/${productId}`);
      },
    ],
    [
      'resource ← license template signing with it',
      'resources <- license_templates.signature_keys_id',
      async () => {
        const key = await createSignatureKey(ctx);
        const { templateId } = await createTemplate(ctx, { signatureKeysId: key.id });
        return resourceBlocked(key.id, 'license template signing with it', `/v1/license-templates/${templateId}`);
      },
    ],
    [
      'resource ← license signed with it',
      'resources <- licenses.signature_keys_id',
      async () => {
        const key = await createSignatureKey(ctx);
        const { licenseId } = await createLicense(ctx, { signatureKeysId: key.id });
        return resourceBlocked(key.id, 'license signed with it', `/v1/licenses/${licenseId}`);
      },
    ],
    [
      'license template ← license',
      'license_templates <- licenses.template_id',
      async () => {
        const key = await createSignatureKey(ctx);
        const { templateId } = await createTemplate(ctx, { signatureKeysId: key.id });
        const { licenseId } = await createLicense(ctx, { templateId });
        return {
          record: `/v1/license-templates/${templateId}`,
          message: `License template ${templateId} is used by 1 license; delete or move them first`,
          removeReferrer: `/v1/licenses/${licenseId}`,
        };
      },
    ],
  ];

  it.each(cases)('%s (%s)', async (_, __, arrange) => {
    const { record, message, removeReferrer } = await arrange();
    const refused = await ctx.http.delete(record).set(admin).expect(409);
    expect(refused.body).toEqual({ success: false, code: 502, message });
    // Still there: a second attempt is refused the same way rather than answering 404.
    expect((await ctx.http.delete(record).set(admin).expect(409)).body.message).toBe(message);

    await ctx.http.delete(removeReferrer).set(admin).expect(200);
    await ctx.http.delete(record).set(admin).expect(200);
    await ctx.http.delete(record).set(admin).expect(404);
  });

  // The service's own schema: the job queue (pg-boss) keeps its tables and keys in a schema of its own.
  it('has a case for every foreign key that keeps a record from being deleted', async () => {
    const restricting: Array<{ fk: string }> = await ctx.app.get(DataSource).query(
      `SELECT c.confrelid::regclass::text || ' <- ' || c.conrelid::regclass::text || '.' || a.attname AS fk
         FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.contype = 'f' AND c.confdeltype IN ('r', 'a') AND c.connamespace = current_schema()::regnamespace`,
    );
    expect(restricting.map((row) => row.fk).sort()).toEqual(cases.map(([, fk]) => fk).sort());
  });
});
