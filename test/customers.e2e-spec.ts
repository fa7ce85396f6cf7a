import { TestContext, bearer, createApiKey, createUser, startTestApp, unique } from './support/app';
import { createLicense, createOrder, createSignatureKey } from './support/licensing';
import { referenceExample } from './support/reference-examples';

const REFERENCE_CONTACT = referenceExample('POST /v1/contacts').contact;
const REFERENCE_CUSTOMER = referenceExample('POST /v1/customers').customer;

describe('Customers and contacts', () => {
  let ctx: TestContext;
  let admin: Record<string, string>;

  beforeAll(async () => {
    ctx = await startTestApp();
    admin = bearer(ctx.adminToken);
  });
  afterAll(() => ctx.close());

  async function insertCustomer(customer: Record<string, unknown>): Promise<{ id: number; code: string }> {
    const response = await ctx.http.post('/v1/customers').set(admin).send({ customer });
    if (response.status !== 200)
      throw new Error(`insert customer: ${response.status} ${JSON.stringify(response.body)}`);
    return { id: response.body.customerId, code: response.body.customerCode };
  }

  async function insertContact(contact: Record<string, unknown>): Promise<number> {
    const response = await ctx.http.post('/v1/contacts').set(admin).send({ contact });
    if (response.status !== 200) throw new Error(`insert contact: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.contactId;
  }

  describe('reference bodies', () => {
    it('accepts the reference customer insert body (as application/json-patch+json) with its embedded contact, ignoring server-owned members', async () => {
      const inserted = await ctx.http
        .post('/v1/customers')
        .set(admin)
        .set('Content-Type', 'application/json-patch+json')
        .send(JSON.stringify({ customer: REFERENCE_CUSTOMER }))
        .expect(200);
      expect(inserted.body).toMatchObject({ success: true, code: 0, customerCode: 'string' });
      const customerId = inserted.body.customerId;
      expect(customerId).toBeGreaterThan(0);

      const listed = await ctx.http
        .get('/v1/customers')
        .query({ filter: `Id == ${customerId}`, include: 'Contacts' })
        .set(admin)
        .expect(200);
      expect(listed.body.totalCustomersCount).toBe(1);
      const customer = listed.body.customers[0];
      expect(customer).toMatchObject({
        ...REFERENCE_CUSTOMER,
        id: customerId,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        contacts: [expect.any(Object)],
      });
      expect(new Date(customer.createdAt).getFullYear()).toBeGreaterThanOrEqual(2025);
      expect(customer.contacts[0]).toMatchObject({ ...REFERENCE_CONTACT, id: expect.any(Number), customerId });
      expect(customer.contacts[0].id).toBeGreaterThan(0);
    });

    it('accepts the reference customer update body; embedded contacts are left to /v1/contacts', async () => {
      const { id } = await insertCustomer({ company: unique('Update') });
      const body = {
        customer: {
          ...REFERENCE_CUSTOMER,
          id,
          code: unique('UPD'),
          company: 'Updated Ltd',
          mapZoomLevel: 12.5,
          rating: 4,
        },
      };
      await ctx.http
        .put('/v1/customers')
        .set(admin)
        .set('Content-Type', 'application/json-patch+json')
        .send(JSON.stringify(body))
        .expect(200);
      const listed = await ctx.http
        .get('/v1/customers')
        .query({ filter: `Id == ${id}`, include: 'contacts' })
        .set(admin)
        .expect(200);
      expect(listed.body.customers[0]).toMatchObject({
        company: 'Updated Ltd',
        mapZoomLevel: 12.5,
        rating: 4,
        isReseller: true,
        code: body.customer.code,
        contacts: [],
      });
    });

    it('accepts the reference contact insert and update bodies once customerId names a real customer', async () => {
      const { id: customerId } = await insertCustomer({ company: unique('ContactRef') });
      const inserted = await ctx.http
        .post('/v1/contacts')
        .set(admin)
        .send({ contact: { ...REFERENCE_CONTACT, customerId } })
        .expect(200);
      expect(inserted.body).toMatchObject({ success: true, code: 0, contactId: expect.any(Number) });
      const contactId = inserted.body.contactId;

      await ctx.http
        .put('/v1/contacts')
        .set(admin)
        .send({ contact: { ...REFERENCE_CONTACT, id: contactId, customerId, firstName: 'Grace', notify: false } })
        .expect(200);
      const listed = await ctx.http.get(`/v1/customers/${customerId}/contacts`).set(admin).expect(200);
      expect(listed.body).toMatchObject({ success: true, totalContactsCount: 1 });
      expect(listed.body.contacts[0]).toEqual({
        ...REFERENCE_CONTACT,
        id: contactId,
        customerId,
        firstName: 'Grace',
        notify: false,
      });
    });
  });

  describe('codes', () => {
    it('generates a code from Licensing.CustomerCodeFormat when none is given', async () => {
      const first = await insertCustomer({ company: unique('Gen') });
      expect(first.code).toMatch(/^C-[A-Z0-9]{8}$/);
      const second = await insertCustomer({ lastName: 'Hopper' });
      expect(second.code).toMatch(/^C-[A-Z0-9]{8}$/);
      expect(second.code).not.toBe(first.code);

      await ctx.http
        .put('/v1/settings')
        .set(admin)
        .send({ settings: [{ group: 'Licensing', name: 'CustomerCodeFormat', value: 'CUST-{DEC:10}' }] })
        .expect(200);
      try {
        const custom = await insertCustomer({ company: unique('Gen'), code: '   ' });
        expect(custom.code).toMatch(/^CUST-\d{10}$/);
        const listed = await ctx.http
          .get('/v1/customers')
          .query({ filter: `Code == "${custom.code}"` })
          .set(admin)
          .expect(200);
        expect(listed.body.customers.map((c: { id: number }) => c.id)).toEqual([custom.id]);
      } finally {
        await ctx.http
          .put('/v1/settings')
          .set(admin)
          .send({ settings: [{ group: 'Licensing', name: 'CustomerCodeFormat', value: 'C-{TOKEN:8}' }] })
          .expect(200);
      }
    });

    it('refuses a duplicate code with 409 on insert and update, regardless of case', async () => {
      const code = unique('DUP').toUpperCase();
      const holder = await insertCustomer({ company: 'Holder', code });
      expect(holder.code).toBe(code);
      const again = await ctx.http
        .post('/v1/customers')
        .set(admin)
        .send({ customer: { company: 'Other', code: code.toLowerCase() } })
        .expect(409);
      expect(again.body).toMatchObject({ success: false, code: 501 });
      expect(again.body.message).toContain(`customer ${holder.id}`);

      const other = await insertCustomer({ company: 'Other' });
      const update = await ctx.http
        .put('/v1/customers')
        .set(admin)
        .send({ customer: { id: other.id, code } })
        .expect(409);
      expect(update.body.code).toBe(501);
      // Changing only the case of one's own code is not a duplicate.
      await ctx.http
        .put('/v1/customers')
        .set(admin)
        .send({ customer: { id: holder.id, code: code.toLowerCase() } })
        .expect(200);
    });
  });

  describe('validation and missing records', () => {
    it('answers 404 for updates and deletes of unknown ids and 400 without an id', async () => {
      const customer = await ctx.http
        .put('/v1/customers')
        .set(admin)
        .send({ customer: { id: 987654, company: 'x' } })
        .expect(404);
      expect(customer.body).toMatchObject({ success: false, code: 400 });
      expect(customer.body.message).toContain('987654');
      await ctx.http
        .put('/v1/contacts')
        .set(admin)
        .send({ contact: { id: 987654, firstName: 'x' } })
        .expect(404);
      await ctx.http.delete('/v1/customers/987654').set(admin).expect(404);
      await ctx.http.delete('/v1/contacts/987654').set(admin).expect(404);
      await ctx.http.get('/v1/customers/987654/contacts').set(admin).expect(404);
      const noId = await ctx.http
        .put('/v1/customers')
        .set(admin)
        .send({ customer: { company: 'x' } })
        .expect(400);
      expect(noId.body.message).toContain('customer.id');
      await ctx.http.delete('/v1/customers/abc').set(admin).expect(400);
    });

    it('refuses a contact whose customer does not exist with 400 naming contact.customerId', async () => {
      const insert = await ctx.http
        .post('/v1/contacts')
        .set(admin)
        .send({ contact: { ...REFERENCE_CONTACT, customerId: 987654 } })
        .expect(400);
      expect(insert.body).toMatchObject({ success: false, code: 107 });
      expect(insert.body.message).toContain('contact.customerId');
      const missing = await ctx.http
        .post('/v1/contacts')
        .set(admin)
        .send({ contact: { firstName: 'Orphan' } })
        .expect(400);
      expect(missing.body.message).toContain('contact.customerId');

      const { id: customerId } = await insertCustomer({ company: unique('Move') });
      const contactId = await insertContact({ firstName: 'Mover', customerId });
      const move = await ctx.http
        .put('/v1/contacts')
        .set(admin)
        .send({ contact: { id: contactId, customerId: 987654 } })
        .expect(400);
      expect(move.body.message).toContain('contact.customerId');
    });

    it('validates member types and requires a name', async () => {
      const wrongType = await ctx.http
        .post('/v1/customers')
        .set(admin)
        .send({ customer: { company: 'x', mapZoomLevel: 'far' } })
        .expect(400);
      expect(wrongType.body.message).toContain('customer.mapZoomLevel');
      const unknownMember = await ctx.http
        .post('/v1/customers')
        .set(admin)
        .send({ customer: { company: 'x', shoeSize: 44 } })
        .expect(400);
      expect(unknownMember.body.message).toContain('customer.shoeSize');
      const nameless = await ctx.http
        .post('/v1/customers')
        .set(admin)
        .send({ customer: { email: 'a@b.test' } })
        .expect(400);
      expect(nameless.body.message).toMatch(/company, firstName or lastName/);
      const namelessContact = await ctx.http
        .post('/v1/customers')
        .set(admin)
        .send({ customer: { company: 'x', contacts: [{ phone: '1' }] } })
        .expect(400);
      expect(namelessContact.body.message).toContain('customer.contacts[0]');
    });
  });

  describe('lists', () => {
    const prefix = unique('Acme');
    const ids: number[] = [];
    let globexId: number;

    beforeAll(async () => {
      const rows = [
        { company: `${prefix} One`, rating: 1, mapZoomLevel: 3.25, isReseller: false },
        { company: `${prefix} Two`, rating: 5, mapZoomLevel: 10.5, isReseller: true },
        { company: `${prefix} Three`, rating: 3, mapZoomLevel: 7, isReseller: false },
      ];
      for (const row of rows) {
        ids.push((await insertCustomer(row)).id);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      globexId = (await insertCustomer({ company: `Globex ${prefix}`, rating: 5 })).id;
      await insertContact({ customerId: ids[0], firstName: 'Ann', lastName: 'Zeta', email: `ann@${prefix}.test` });
      await insertContact({
        customerId: ids[0],
        firstName: 'Bob',
        lastName: 'Alpha',
        email: `bob@${prefix}.test`,
        notify: true,
      });
      await insertContact({ customerId: ids[1], firstName: 'Cid', lastName: 'Mu', email: `cid@${prefix}.test` });
    });

    it('filters, sorts, pages and counts before paging', async () => {
      const page = await ctx.http
        .get('/v1/customers')
        .query({ filter: `Company.StartsWith("${prefix}")`, sort: 'CreatedAt desc', take: 1, skip: 1 })
        .set(admin)
        .expect(200);
      expect(page.body.totalCustomersCount).toBe(3);
      expect(page.body.customers.map((c: { id: number }) => c.id)).toEqual([ids[1]]);

      const all = await ctx.http
        .get('/v1/customers')
        .query({ filter: `company.contains("${prefix}")`, sort: 'Rating desc, Company' })
        .set(admin)
        .expect(200);
      expect(all.body.customers.map((c: { id: number }) => c.id)).toEqual([ids[1], globexId, ids[2], ids[0]]);
    });

    it('compares decimals, whole numbers, booleans and dates by value', async () => {
      const zoom = await ctx.http
        .get('/v1/customers')
        .query({
          filter: `Company.StartsWith("${prefix}") && MapZoomLevel > 5.1 && MapZoomLevel < 10.6`,
          sort: 'MapZoomLevel',
        })
        .set(admin)
        .expect(200);
      // As text "10.5" < "5.1"; as numbers both 7 and 10.5 match, in numeric order.
      expect(zoom.body.customers.map((c: { mapZoomLevel: number }) => c.mapZoomLevel)).toEqual([7, 10.5]);
      const rating = await ctx.http
        .get('/v1/customers')
        .query({ filter: `Company.StartsWith("${prefix}") and Rating >= 3 and IsReseller == false` })
        .set(admin)
        .expect(200);
      expect(rating.body.customers.map((c: { id: number }) => c.id)).toEqual([ids[2]]);
      const since = new Date(Date.now() - 60 * 60 * 1000).toISOString();
      const recent = await ctx.http
        .get('/v1/customers')
        .query({ filter: `Company.StartsWith("${prefix}") && CreatedAt >= "${since}" && CreatedAt < "2999-01-01"` })
        .set(admin)
        .expect(200);
      expect(recent.body.totalCustomersCount).toBe(3);
      const badDate = await ctx.http
        .get('/v1/customers')
        .query({ filter: 'CreatedAt > "yesterday"' })
        .set(admin)
        .expect(400);
      expect(badDate.body.code).toBe(102);
    });

    it('includes contacts for the page only and keeps them with select', async () => {
      const page = await ctx.http
        .get('/v1/customers')
        .query({
          filter: `Company.StartsWith("${prefix}")`,
          sort: 'Id',
          include: 'contacts',
          select: 'Id,Company',
          take: 2,
        })
        .set(admin)
        .expect(200);
      expect(page.body.totalCustomersCount).toBe(3);
      expect(page.body.customers).toHaveLength(2);
      expect(Object.keys(page.body.customers[0]).sort()).toEqual(['company', 'contacts', 'id']);
      expect(page.body.customers[0].contacts.map((c: { firstName: string }) => c.firstName)).toEqual(['Ann', 'Bob']);
      expect(page.body.customers[1].contacts.map((c: { firstName: string }) => c.firstName)).toEqual(['Cid']);

      const without = await ctx.http
        .get('/v1/customers')
        .query({ filter: `Id == ${ids[0]}` })
        .set(admin)
        .expect(200);
      expect(without.body.customers[0]).not.toHaveProperty('contacts');
      const unknownInclude = await ctx.http.get('/v1/customers').query({ include: 'orders,contacts' }).set(admin);
      // Orders become includable once the orders module registers them; until then the answer names what is allowed.
      if (unknownInclude.status === 400) expect(unknownInclude.body.message).toMatch(/contacts/);
      const filterByContact = await ctx.http
        .get('/v1/customers')
        .query({ filter: `Contacts.Email == "cid@${prefix}.test"` })
        .set(admin)
        .expect(200);
      expect(filterByContact.body.customers.map((c: { id: number }) => c.id)).toEqual([ids[1]]);
    });

    it('filters, sorts, selects and pages contacts, across customers and per customer', async () => {
      const all = await ctx.http
        .get('/v1/contacts')
        .query({
          filter: `Email.EndsWith("@${prefix}.test")`,
          sort: 'LastName desc',
          select: 'id,lastName',
          take: 2,
          skip: 1,
        })
        .set(admin)
        .expect(200);
      expect(all.body.totalContactsCount).toBe(3);
      expect(all.body.contacts.map((c: { lastName: string }) => c.lastName)).toEqual(['Mu', 'Alpha']);
      expect(Object.keys(all.body.contacts[0]).sort()).toEqual(['id', 'lastName']);

      const byCompany = await ctx.http
        .get('/v1/contacts')
        .query({ filter: `Customer.Company == "${prefix} Two"` })
        .set(admin)
        .expect(200);
      expect(byCompany.body.contacts.map((c: { firstName: string }) => c.firstName)).toEqual(['Cid']);
      const sortedByCompany = await ctx.http
        .get('/v1/contacts')
        .query({ filter: `Email.EndsWith("@${prefix}.test")`, sort: 'Customer.Company desc, FirstName' })
        .set(admin)
        .expect(200);
      expect(sortedByCompany.body.contacts.map((c: { firstName: string }) => c.firstName)).toEqual([
        'Cid',
        'Ann',
        'Bob',
      ]);

      const perCustomer = await ctx.http
        .get(`/v1/customers/${ids[0]}/contacts`)
        .query({ filter: 'Notify == true', sort: 'FirstName desc' })
        .set(admin)
        .expect(200);
      expect(perCustomer.body).toMatchObject({
        totalContactsCount: 1,
        contacts: [{ firstName: 'Bob', customerId: ids[0] }],
      });
      const paged = await ctx.http
        .get(`/v1/customers/${ids[0]}/contacts`)
        .query({ sort: 'FirstName desc', take: 1, skip: 1 })
        .set(admin)
        .expect(200);
      expect(paged.body).toMatchObject({ totalContactsCount: 2, contacts: [{ firstName: 'Ann' }] });
      await ctx.http.get(`/v1/customers/${ids[0]}/contacts`).query({ include: 'customer' }).set(admin).expect(400);
    });
  });

  describe('delete', () => {
    it('deletes a customer with its contacts and clears the link of its users', async () => {
      const { id } = await insertCustomer({ company: unique('Gone') });
      const contactIds = [
        await insertContact({ customerId: id, firstName: 'A' }),
        await insertContact({ customerId: id, firstName: 'B' }),
      ];
      const userName = unique('portal');
      const user = await ctx.http
        .post('/v1/users')
        .set(admin)
        .send({ user: { userName, customerId: id }, password: 'password-1234' })
        .expect(200);

      await ctx.http.delete(`/v1/customers/${id}`).set(admin).expect(200);
      await ctx.http.get(`/v1/customers/${id}/contacts`).set(admin).expect(404);
      const contacts = await ctx.http
        .get('/v1/contacts')
        .query({ filter: `Id in (${contactIds.join(', ')})` })
        .set(admin)
        .expect(200);
      expect(contacts.body.totalContactsCount).toBe(0);
      const users = await ctx.http
        .get('/v1/users')
        .query({ filter: `Id == "${user.body.userId}"` })
        .set(admin)
        .expect(200);
      expect(users.body.users[0]).toMatchObject({ userName, customerId: null });
      await ctx.http.delete(`/v1/customers/${id}`).set(admin).expect(404);
    });

    it('refuses (409) to delete a customer that orders or licenses point at, saying what blocks it', async () => {
      const { id } = await insertCustomer({ company: unique('Busy') });
      const orders = [await createOrder(ctx, id), await createOrder(ctx, id), await createOrder(ctx, id)];
      const key = await createSignatureKey(ctx);
      const license = await createLicense(ctx, { customerId: id, signatureKeysId: key.id, licenseeName: 'Busy Bee' });

      const refused = await ctx.http.delete(`/v1/customers/${id}`).set(admin).expect(409);
      expect(refused.body).toMatchObject({ success: false, code: 502 });
      expect(refused.body.message).toBe(`customer ${id} has 3 orders and 1 license; delete or reassign them first`);
      const still = await ctx.http
        .get('/v1/customers')
        .query({ filter: `Id == ${id}` })
        .set(admin)
        .expect(200);
      expect(still.body.totalCustomersCount).toBe(1);

      await ctx.http.delete(`/v1/licenses/${license.licenseId}`).set(admin).expect(200);
      for (const orderId of orders) await ctx.http.delete(`/v1/orders/${orderId}`).set(admin).expect(200);
      await ctx.http.delete(`/v1/customers/${id}`).set(admin).expect(200);
    });
  });

  describe('access', () => {
    it('lets Sales manage customers and contacts but not a LicenseManager', async () => {
      const sales = bearer((await createUser(ctx, ['Sales'])).token);
      const inserted = await ctx.http
        .post('/v1/customers')
        .set(sales)
        .send({ customer: { company: unique('Sales') } })
        .expect(200);
      const id = inserted.body.customerId;
      await ctx.http
        .put('/v1/customers')
        .set(sales)
        .send({ customer: { id, city: 'Oslo' } })
        .expect(200);
      const contact = await ctx.http
        .post('/v1/contacts')
        .set(sales)
        .send({ contact: { customerId: id, firstName: 'S' } })
        .expect(200);
      await ctx.http.get('/v1/contacts').set(sales).expect(200);
      await ctx.http.delete(`/v1/contacts/${contact.body.contactId}`).set(sales).expect(200);
      await ctx.http.delete(`/v1/customers/${id}`).set(sales).expect(200);

      const manager = bearer((await createUser(ctx, ['LicenseManager'])).token);
      await ctx.http.get('/v1/customers').set(manager).expect(403);
      await ctx.http
        .post('/v1/customers')
        .set(manager)
        .send({ customer: { company: 'x' } })
        .expect(403);
      await ctx.http.get('/v1/customers').expect(401);
    });

    it('holds an API key to its permission bits: Read only cannot POST', async () => {
      const readOnly = await createApiKey(ctx, 1);
      await ctx.http.get('/v1/customers').set('x-api-key', readOnly.key).expect(200);
      const refused = await ctx.http
        .post('/v1/customers')
        .set('x-api-key', readOnly.key)
        .send({ customer: { company: 'x' } })
        .expect(403);
      expect(refused.body.success).toBe(false);
      await ctx.http
        .post('/v1/contacts')
        .set('x-api-key', readOnly.key)
        .send({ contact: { customerId: 1, firstName: 'x' } })
        .expect(403);
      const creator = await createApiKey(ctx, 8);
      await ctx.http
        .post('/v1/customers')
        .set('x-api-key', creator.key)
        .send({ customer: { company: unique('KeyMade') } })
        .expect(200);
    });
  });
});
