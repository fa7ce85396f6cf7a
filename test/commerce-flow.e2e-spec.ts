import { TestContext, bearer, startTestApp, unique } from './support/app';

type Body = Record<string, unknown>;

/** The commerce flow as an integrator drives it, through HTTP only, from customer to a protected product. */
describe('Commerce flow', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp();
  });
  afterAll(() => ctx.close());

  it('customer → contact → product → release with two assemblies → order with two lines → totals, listings, protected product', async () => {
    const admin = bearer(ctx.adminToken);
    const post = async (path: string, body: Body) => {
      const response = await ctx.http.post(path).set(admin).send(body);
      expect({ path, status: response.status, body: response.body }).toMatchObject({
        status: 200,
        body: { success: true, code: 0 },
      });
      return response.body;
    };

    const company = unique('Initech');
    const { customerId } = await post('/v1/customers', {
      customer: { company, firstName: 'Bill', lastName: 'Lumbergh', email: 'bill@initech.test' },
    });
    const { contactId } = await post('/v1/contacts', {
      contact: { customerId, firstName: 'Peter', lastName: 'Gibbons', email: 'peter@initech.test', notify: true },
    });
    expect(contactId).toBeGreaterThan(0);

    const { resourceId: signatureKeysId } = await post('/v1/resources', {
      resource: { name: unique('signing key'), type: 'Ed25519' },
    });
    const { productId } = await post('/v1/products', {
      product: { code: unique('TPS'), name: 'TPS Report Suite', price: 199.99, currency: 'EUR', signatureKeysId },
    });
    const { releaseId } = await post(`/v1/products/${productId}/releases`, {
      release: { name: 'TPS 2026', version: '2026.1', releaseDate: '2026-01-15T00:00:00Z' },
    });
    const { assemblyId: coreId } = await post(`/v1/products/${productId}/releases/${releaseId}/assemblies`, {
      assembly: { name: 'Tps.Core', version: '2026.1.0.0', culture: 'neutral' },
    });
    const { assemblyId: uiId } = await post(`/v1/products/${productId}/releases/${releaseId}/assemblies`, {
      assembly: { name: 'Tps.UI', version: '2026.1.0.0', culture: 'neutral' },
    });
    const assemblies = await ctx.http
      .get(`/v1/products/${productId}/releases/${releaseId}/assemblies`)
      .query({ sort: 'Name' })
      .set(admin)
      .expect(200);
    expect(assemblies.body.totalAssembliesCount).toBe(2);
    expect(assemblies.body.assemblies.map((a: Body) => a.id)).toEqual([coreId, uiId]);

    const { productId: supportId } = await post('/v1/products', {
      product: { code: unique('SUP'), name: 'Priority support', price: 50, currency: 'EUR' },
    });
    const { orderId, orderNumber } = await post('/v1/orders', {
      order: { customerId, currency: 'EUR', status: 'New', purchaseOrder: 'PO-42' },
    });
    expect(orderNumber).toMatch(/^O-[A-Z0-9]{8}$/);
    // 3 × 199.99 = 599.97, −15 % = 509.9745, +19 % = 606.869655 → 606.87
    await post(`/v1/orders/${orderId}/products/${productId}`, {
      productOrder: { quantity: 3, discount: 15, taxes: 19 },
    });
    // 2 × 50 = 100, +19 % = 119
    await post(`/v1/orders/${orderId}/products/${supportId}`, {
      productOrder: { quantity: 2, taxes: 19, description: 'One year' },
    });

    const order = await ctx.http
      .get('/v1/orders')
      .query({ filter: `Id == ${orderId}`, include: 'Customer' })
      .set(admin)
      .expect(200);
    expect(order.body.orders[0]).toMatchObject({
      id: orderId,
      orderNumber,
      total: 725.87,
      customerId,
      customer: { id: customerId, company },
    });
    expect(order.body.orders[0].customer.contacts.map((c: Body) => c.id)).toContain(contactId);
    const lines = await ctx.http
      .get(`/v1/orders/${orderId}/products`)
      .query({ sort: 'ProductId' })
      .set(admin)
      .expect(200);
    expect(lines.body.totalOrderProductsCount).toBe(2);
    expect(lines.body.orderProducts.map((l: Body) => [l.productId, l.quantity, l.unitPrice])).toEqual([
      [productId, 3, 199.99],
      [supportId, 2, 50],
    ]);

    const customerOrders = await ctx.http.get(`/v1/customers/${customerId}/orders`).set(admin).expect(200);
    expect(customerOrders.body.totalOrdersCount).toBe(1);
    expect(customerOrders.body.orders[0]).toMatchObject({ id: orderId, orderNumber, total: 725.87 });

    const productOrders = await ctx.http
      .get(`/v1/products/${productId}/orders`)
      .query({ include: 'Order' })
      .set(admin)
      .expect(200);
    expect(productOrders.body.totalProductOrdersCount).toBe(1);
    expect(productOrders.body.productOrders[0]).toMatchObject({
      orderId,
      productId,
      quantity: 3,
      discount: 15,
      taxes: 19,
      order: { id: orderId, orderNumber, customer: { company } },
    });

    const refused = await ctx.http.delete(`/v1/products/${productId}`).set(admin).expect(409);
    expect(refused.body).toMatchObject({ success: false, code: 502 });
    expect(refused.body.message).toBe(`product ${productId} has 1 order line and 1 release; remove them first`);
    const stillThere = await ctx.http
      .get('/v1/products')
      .query({ filter: `Id == ${productId}` })
      .set(admin)
      .expect(200);
    expect(stillThere.body.totalProductsCount).toBe(1);
  });
});
