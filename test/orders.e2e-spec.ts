import { TestContext, bearer, createApiKey, createUser, startTestApp, unique } from './support/app';
import { createCustomer, createProduct } from './support/licensing';
import { referenceExample } from './support/reference-examples';

type Body = Record<string, unknown>;

describe('Commerce: orders and order lines', () => {
  let ctx: TestContext;
  let admin: Record<string, string>;

  beforeAll(async () => {
    ctx = await startTestApp();
    admin = bearer(ctx.adminToken);
  });
  afterAll(() => ctx.close());

  async function insertOrder(order: Body): Promise<{ orderId: number; orderNumber: string }> {
    const response = await ctx.http.post('/v1/orders').set(admin).send({ order });
    expect(response.status).toBe(200);
    return response.body;
  }

  async function addLine(orderId: number, productId: number, productOrder: Body = {}): Promise<void> {
    const response = await ctx.http
      .post(`/v1/orders/${orderId}/products/${productId}`)
      .set(admin)
      .send({ productOrder });
    expect(response.status).toBe(200);
  }

  async function totalOf(orderId: number): Promise<number> {
    const response = await ctx.http
      .get('/v1/orders')
      .query({ filter: `Id == ${orderId}`, select: 'total' })
      .set(admin)
      .expect(200);
    return response.body.orders[0].total;
  }

  const referenceCustomer = referenceExample('POST /v1/customers').customer;

  function referenceOrder(orderNumber: string, customerId: number): Body {
    return {
      id: 0,
      orderNumber,
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
      customerId,
      customer: referenceCustomer,
      resellerId: 0,
    };
  }

  function referenceLine(order: Body): Body {
    return {
      productId: 0,
      orderId: 0,
      quantity: 0,
      unitPrice: 0.1,
      discount: 0.1,
      taxes: 0.1,
      description: 'string',
      product: {
        id: 0,
        code: 'string',
        name: 'string',
        description: 'string',
        url: 'string',
        copyright: 'string',
        createdAt: '2019-08-24T14:15:22Z',
        image: 'string',
        price: 0.1,
        resellerPrice: 0.1,
        currency: 'string',
        signatureKeysId: 0,
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
        productOrders: [{}],
      },
      order,
    };
  }

  describe('orders', () => {
    it("accepts the reference example bodies; total is the server's, the embedded customer is ignored", async () => {
      const customerId = await createCustomer(ctx);
      const orderNumber = unique('REF');
      const inserted = await ctx.http
        .post('/v1/orders')
        .set(admin)
        .set('Content-Type', 'application/json-patch+json')
        .send(JSON.stringify({ order: referenceOrder(orderNumber, customerId) }))
        .expect(200);
      expect(inserted.body).toMatchObject({ success: true, code: 0, orderNumber });
      const orderId = inserted.body.orderId;

      const listed = await ctx.http
        .get('/v1/orders')
        .query({ filter: `Id == ${orderId}` })
        .set(admin)
        .expect(200);
      const order = listed.body.orders[0];
      expect(order).toMatchObject({
        id: orderId,
        orderNumber,
        status: 'string',
        total: 0,
        customerId,
        resellerId: null,
        paymentDate: '2019-08-24T14:15:22.000Z',
      });
      expect(new Date(order.createdAt).getFullYear()).toBeGreaterThanOrEqual(2026);
      expect(order.customer).toBeUndefined();

      const updated = await ctx.http
        .put('/v1/orders')
        .set(admin)
        .send({ order: { ...referenceOrder(orderNumber, customerId), id: orderId, status: 'Paid', total: 999 } })
        .expect(200);
      expect(updated.body).toMatchObject({ success: true, code: 0 });
      const after = await ctx.http
        .get('/v1/orders')
        .query({ filter: `Id == ${orderId}` })
        .set(admin)
        .expect(200);
      expect(after.body.orders[0]).toMatchObject({ status: 'Paid', total: 0 });
      expect(new Date(after.body.orders[0].updatedAt).getTime()).toBeGreaterThanOrEqual(
        new Date(order.updatedAt).getTime(),
      );
    });

    it('generates order numbers from Licensing.OrderNumberFormat and refuses duplicates with 409', async () => {
      const customerId = await createCustomer(ctx);
      const generated = await insertOrder({ customerId });
      expect(generated.orderNumber).toMatch(/^O-[A-Z0-9]{8}$/);

      await ctx.http
        .put('/v1/settings')
        .set(admin)
        .send({ settings: [{ group: 'Licensing', name: 'OrderNumberFormat', value: 'ORD-{DEC:10}' }] })
        .expect(200);
      try {
        const custom = await insertOrder({ customerId });
        expect(custom.orderNumber).toMatch(/^ORD-\d{10}$/);
      } finally {
        await ctx.http
          .put('/v1/settings')
          .set(admin)
          .send({ settings: [{ group: 'Licensing', name: 'OrderNumberFormat', value: 'O-{TOKEN:8}' }] })
          .expect(200);
      }

      const duplicate = await ctx.http
        .post('/v1/orders')
        .set(admin)
        .send({ order: { customerId, orderNumber: generated.orderNumber.toLowerCase() } })
        .expect(409);
      expect(duplicate.body).toMatchObject({ success: false, code: 501 });
      expect(duplicate.body.message).toMatch(/order\.orderNumber/);
      const other = await insertOrder({ customerId });
      await ctx.http
        .put('/v1/orders')
        .set(admin)
        .send({ order: { id: other.orderId, orderNumber: generated.orderNumber } })
        .expect(409);
    });

    it('answers 400 naming the field for unknown customers and resellers, 404 for unknown orders', async () => {
      const missing = await ctx.http
        .post('/v1/orders')
        .set(admin)
        .send({ order: { status: 'New' } })
        .expect(400);
      expect(missing.body.message).toMatch(/order\.customerId/);
      const unknown = await ctx.http
        .post('/v1/orders')
        .set(admin)
        .send({ order: { customerId: 999999 } })
        .expect(400);
      expect(unknown.body).toMatchObject({ success: false, code: 107 });
      expect(unknown.body.message).toMatch(/order\.customerId/);
      const customerId = await createCustomer(ctx);
      const reseller = await ctx.http
        .post('/v1/orders')
        .set(admin)
        .send({ order: { customerId, resellerId: 999999 } })
        .expect(400);
      expect(reseller.body.message).toMatch(/order\.resellerId/);
      const { orderId } = await insertOrder({ customerId });
      const moved = await ctx.http
        .put('/v1/orders')
        .set(admin)
        .send({ order: { id: orderId, customerId: 999999 } })
        .expect(400);
      expect(moved.body.message).toMatch(/order\.customerId/);

      await ctx.http
        .put('/v1/orders')
        .set(admin)
        .send({ order: { id: 999999, status: 'x' } })
        .expect(404);
      await ctx.http.delete('/v1/orders/999999').set(admin).expect(404);
      await ctx.http.get('/v1/orders/999999/products').set(admin).expect(404);
      await ctx.http.get('/v1/customers/999999/orders').set(admin).expect(404);
    });

    it('lists orders with filter (money, dates, customer), sort, select, include and paging totals', async () => {
      const company = unique('Listed');
      const customerId = await createCustomer(ctx, { company });
      await ctx.http
        .post('/v1/contacts')
        .set(admin)
        .send({ contact: { customerId, firstName: 'Ada', email: 'ada@example.com' } })
        .expect(200);
      const otherCustomer = await createCustomer(ctx);
      const productId = await createProduct(ctx, null);
      const before = new Date(Date.now() - 1000).toISOString();
      const amounts = [10, 2.5, 100.25];
      const ids: number[] = [];
      for (const amount of amounts) {
        const { orderId } = await insertOrder({ customerId, status: amount > 5 ? 'Paid' : 'New' });
        await addLine(orderId, productId, { quantity: 1, unitPrice: amount });
        ids.push(orderId);
      }
      await insertOrder({ customerId: otherCustomer });

      const byCustomer = `Customer.Company == "${company}"`;
      const all = await ctx.http
        .get('/v1/orders')
        .query({ filter: `${byCustomer} && Total >= 9.99 && CreatedAt >= "${before}"`, sort: 'Total desc' })
        .set(admin)
        .expect(200);
      expect(all.body.totalOrdersCount).toBe(2);
      expect(all.body.orders.map((o: Body) => o.total)).toEqual([100.25, 10]);

      const page = await ctx.http
        .get('/v1/orders')
        .query({ filter: byCustomer, sort: 'Total', take: 1, skip: 1, select: 'id,total', include: 'Customer' })
        .set(admin)
        .expect(200);
      expect(page.body.totalOrdersCount).toBe(3);
      expect(page.body.orders).toHaveLength(1);
      expect(Object.keys(page.body.orders[0]).sort()).toEqual(['customer', 'id', 'total']);
      expect(page.body.orders[0]).toMatchObject({
        id: ids[0],
        total: 10,
        customer: { id: customerId, company, contacts: [{ firstName: 'Ada', email: 'ada@example.com' }] },
      });

      const withLine = await ctx.http
        .get('/v1/orders')
        .query({ filter: `ProductOrders.ProductId == ${productId} && Status == "New"` })
        .set(admin)
        .expect(200);
      expect(withLine.body.orders.map((o: Body) => o.id)).toEqual([ids[1]]);

      const customerOrders = await ctx.http
        .get(`/v1/customers/${customerId}/orders`)
        .query({ filter: 'Status == "Paid"', sort: 'Total desc', take: 1 })
        .set(admin)
        .expect(200);
      expect(customerOrders.body.totalOrdersCount).toBe(2);
      expect(customerOrders.body.orders.map((o: Body) => o.id)).toEqual([ids[2]]);
      const skipped = await ctx.http
        .get(`/v1/customers/${customerId}/orders`)
        .query({ sort: 'Id', skip: 2, select: 'id' })
        .set(admin)
        .expect(200);
      expect(skipped.body).toMatchObject({ totalOrdersCount: 3, orders: [{ id: ids[2] }] });

      await ctx.http.get('/v1/orders').query({ filter: 'Total == "lots"' }).set(admin).expect(400);
      await ctx.http.get('/v1/orders').query({ include: 'ProductOrders' }).set(admin).expect(400);
    });

    it('deletes an order with its lines, which frees the product for deletion', async () => {
      const customerId = await createCustomer(ctx);
      const productId = await createProduct(ctx, null);
      const { orderId } = await insertOrder({ customerId });
      await addLine(orderId, productId, { quantity: 2, unitPrice: 5 });

      const blocked = await ctx.http.delete(`/v1/products/${productId}`).set(admin).expect(409);
      expect(blocked.body).toMatchObject({ success: false, code: 502 });
      expect(blocked.body.message).toBe(`product ${productId} has 1 order line; remove them first`);

      await ctx.http.delete(`/v1/orders/${orderId}`).set(admin).expect(200);
      await ctx.http.get(`/v1/orders/${orderId}/products`).set(admin).expect(404);
      const lines = await ctx.http.get(`/v1/products/${productId}/orders`).set(admin).expect(200);
      expect(lines.body.totalProductOrdersCount).toBe(0);
      await ctx.http.delete(`/v1/products/${productId}`).set(admin).expect(200);
    });
  });

  describe('order lines', () => {
    it('accepts the reference line body and keeps one line per product (409 on a second POST)', async () => {
      const customerId = await createCustomer(ctx);
      const productId = await createProduct(ctx, null, { price: 49.99 });
      const { orderId, orderNumber } = await insertOrder({ customerId });
      const inserted = await ctx.http
        .post(`/v1/orders/${orderId}/products/${productId}`)
        .set(admin)
        .send({ productOrder: referenceLine(referenceOrder(orderNumber, customerId)) })
        .expect(200);
      expect(inserted.body).toMatchObject({ success: true, code: 0 });
      const lines = await ctx.http.get(`/v1/orders/${orderId}/products`).set(admin).expect(200);
      expect(lines.body).toMatchObject({
        totalOrderProductsCount: 1,
        orderProducts: [
          { orderId, productId, quantity: 0, unitPrice: 0.1, discount: 0.1, taxes: 0.1, description: 'string' },
        ],
      });

      const twice = await ctx.http
        .post(`/v1/orders/${orderId}/products/${productId}`)
        .set(admin)
        .send({ productOrder: { quantity: 1 } })
        .expect(409);
      expect(twice.body).toMatchObject({ success: false, code: 501 });
      expect(twice.body.message).toMatch(new RegExp(`Product ${productId} is already on order ${orderId}`));

      const updated = await ctx.http
        .put(`/v1/orders/${orderId}/products/${productId}`)
        .set(admin)
        .send({ productOrder: referenceLine({}) })
        .expect(200);
      expect(updated.body).toMatchObject({ success: true, code: 0 });
    });

    it('answers 404 for a missing order or line, 400 for an unknown product, mismatched ids or out-of-range numbers', async () => {
      const customerId = await createCustomer(ctx);
      const productId = await createProduct(ctx, null);
      const { orderId } = await insertOrder({ customerId });
      await ctx.http.post(`/v1/orders/999999/products/${productId}`).set(admin).send({ productOrder: {} }).expect(404);
      const unknownProduct = await ctx.http
        .post(`/v1/orders/${orderId}/products/999999`)
        .set(admin)
        .send({ productOrder: {} })
        .expect(400);
      expect(unknownProduct.body).toMatchObject({ code: 107 });
      expect(unknownProduct.body.message).toMatch(/productId/);
      await ctx.http
        .put(`/v1/orders/${orderId}/products/${productId}`)
        .set(admin)
        .send({ productOrder: { quantity: 2 } })
        .expect(404);
      await ctx.http.delete(`/v1/orders/${orderId}/products/${productId}`).set(admin).expect(404);
      await ctx.http
        .post(`/v1/orders/${orderId}/products/${productId}`)
        .set(admin)
        .send({ productOrder: { orderId: orderId + 1 } })
        .expect(400);
      const discount = await ctx.http
        .post(`/v1/orders/${orderId}/products/${productId}`)
        .set(admin)
        .send({ productOrder: { discount: 101 } })
        .expect(400);
      expect(discount.body.message).toMatch(/discount/);
      await ctx.http
        .post(`/v1/orders/${orderId}/products/${productId}`)
        .set(admin)
        .send({ productOrder: { quantity: -1 } })
        .expect(400);
      await ctx.http.get('/v1/products/999999/orders').set(admin).expect(404);
    });

    it('keeps the order total equal to the sum of its lines through insert, update and delete', async () => {
      const customerId = await createCustomer(ctx);
      const pro = await createProduct(ctx, null, { price: 49.99 });
      const addon = await createProduct(ctx, null, { price: 10 });
      const { orderId } = await insertOrder({ customerId });

      // 2 × 49.99 = 99.98, −10 % = 89.982, +20 % tax = 107.9784 → 107.98
      await addLine(orderId, pro, { quantity: 2, discount: 10, taxes: 20 });
      expect(await totalOf(orderId)).toBe(107.98);
      // unit price defaults to the product's price: 3 × 10 = 30
      await addLine(orderId, addon, { quantity: 3 });
      expect(await totalOf(orderId)).toBe(137.98);

      await ctx.http
        .put(`/v1/orders/${orderId}/products/${addon}`)
        .set(admin)
        .send({ productOrder: { quantity: 1, unitPrice: 12.345 } })
        .expect(200);
      // 12.345 rounds to 12.35 per line
      expect(await totalOf(orderId)).toBe(120.33);
      const lines = await ctx.http
        .get(`/v1/orders/${orderId}/products`)
        .query({ sort: 'UnitPrice desc', include: 'Product' })
        .set(admin)
        .expect(200);
      expect(lines.body.orderProducts.map((l: Body) => [l.productId, l.quantity, l.unitPrice])).toEqual([
        [pro, 2, 49.99],
        [addon, 1, 12.345],
      ]);
      expect(lines.body.orderProducts[0].product).toMatchObject({ id: pro, price: 49.99 });

      await ctx.http.delete(`/v1/orders/${orderId}/products/${pro}`).set(admin).expect(200);
      expect(await totalOf(orderId)).toBe(12.35);
      await ctx.http.delete(`/v1/orders/${orderId}/products/${addon}`).set(admin).expect(200);
      expect(await totalOf(orderId)).toBe(0);
    });

    it('loses no update of the total when many lines change at once', async () => {
      const customerId = await createCustomer(ctx);
      const { orderId } = await insertOrder({ customerId });
      const products = await Promise.all(Array.from({ length: 20 }, () => createProduct(ctx, null, { price: 1.11 })));
      await Promise.all(products.map((productId) => addLine(orderId, productId)));
      expect(await totalOf(orderId)).toBe(22.2);
      await Promise.all(
        products.map((productId) =>
          ctx.http
            .put(`/v1/orders/${orderId}/products/${productId}`)
            .set(admin)
            .send({ productOrder: { quantity: 3 } })
            .expect(200),
        ),
      );
      expect(await totalOf(orderId)).toBe(66.6);
      await Promise.all(
        products
          .slice(0, 10)
          .map((productId) => ctx.http.delete(`/v1/orders/${orderId}/products/${productId}`).set(admin).expect(200)),
      );
      expect(await totalOf(orderId)).toBe(33.3);
    });

    it('lists the lines of an order and of a product with filter, sort, select, include and paging totals', async () => {
      const customerId = await createCustomer(ctx);
      const { orderId, orderNumber } = await insertOrder({ customerId });
      const products = [await createProduct(ctx, null), await createProduct(ctx, null), await createProduct(ctx, null)];
      await addLine(orderId, products[0], { quantity: 1, unitPrice: 9.99 });
      await addLine(orderId, products[1], { quantity: 5, unitPrice: 10 });
      await addLine(orderId, products[2], { quantity: 2, unitPrice: 100 });

      const expensive = await ctx.http
        .get(`/v1/orders/${orderId}/products`)
        .query({ filter: 'UnitPrice > 9.995', sort: 'Quantity desc' })
        .set(admin)
        .expect(200);
      expect(expensive.body.totalOrderProductsCount).toBe(2);
      expect(expensive.body.orderProducts.map((l: Body) => l.productId)).toEqual([products[1], products[2]]);
      const page = await ctx.http
        .get(`/v1/orders/${orderId}/products`)
        .query({ sort: 'UnitPrice', take: 1, skip: 2, select: 'productId,unitPrice' })
        .set(admin)
        .expect(200);
      expect(page.body).toEqual(
        expect.objectContaining({
          totalOrderProductsCount: 3,
          orderProducts: [{ productId: products[2], unitPrice: 100 }],
        }),
      );

      const otherOrder = await insertOrder({ customerId });
      await addLine(otherOrder.orderId, products[0], { quantity: 7 });
      const ofProduct = await ctx.http
        .get(`/v1/products/${products[0]}/orders`)
        .query({ include: 'Order', sort: 'Quantity desc' })
        .set(admin)
        .expect(200);
      expect(ofProduct.body.totalProductOrdersCount).toBe(2);
      expect(ofProduct.body.productOrders.map((l: Body) => l.orderId)).toEqual([otherOrder.orderId, orderId]);
      expect(ofProduct.body.productOrders[1].order).toMatchObject({
        id: orderId,
        orderNumber,
        customerId,
        customer: { id: customerId },
      });
      const filtered = await ctx.http
        .get(`/v1/products/${products[0]}/orders`)
        .query({ filter: `Order.OrderNumber == "${orderNumber}"`, take: 5 })
        .set(admin)
        .expect(200);
      expect(filtered.body).toMatchObject({ totalProductOrdersCount: 1, productOrders: [{ orderId, quantity: 1 }] });

      const viaProducts = await ctx.http
        .get('/v1/products')
        .query({ filter: `Id == ${products[0]}`, include: 'ProductOrders' })
        .set(admin)
        .expect(200);
      expect(viaProducts.body.products[0].productOrders.map((l: Body) => l.orderId).sort()).toEqual(
        [orderId, otherOrder.orderId].sort(),
      );
    });
  });

  describe('access', () => {
    it('lets an API key with Read only list orders but not insert an order or a line (403)', async () => {
      const customerId = await createCustomer(ctx);
      const productId = await createProduct(ctx, null);
      const { orderId } = await insertOrder({ customerId });
      const readOnly = await createApiKey(ctx, 1);
      await ctx.http.get('/v1/orders').set('x-api-key', readOnly.key).expect(200);
      const refused = await ctx.http
        .post('/v1/orders')
        .set('x-api-key', readOnly.key)
        .send({ order: { customerId } })
        .expect(403);
      expect(refused.body.message).toMatch(/Create/);
      await ctx.http
        .post(`/v1/orders/${orderId}/products/${productId}`)
        .set('x-api-key', readOnly.key)
        .send({ productOrder: {} })
        .expect(403);
      expect(await totalOf(orderId)).toBe(0);
    });

    it('keeps orders to Sales and administrators', async () => {
      const sales = await createUser(ctx, ['Sales']);
      const manager = await createUser(ctx, ['LicenseManager']);
      const customerId = await createCustomer(ctx);
      await ctx.http.post('/v1/orders').set(bearer(sales.token)).send({ order: { customerId } }).expect(200);
      await ctx.http.get('/v1/orders').set(bearer(manager.token)).expect(403);
      await ctx.http.get(`/v1/customers/${customerId}/orders`).set(bearer(manager.token)).expect(403);
    });
  });
});
