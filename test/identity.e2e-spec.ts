import { TestContext, bearer, createApiKey, createUser, login, startTestApp, unique } from './support/app';

describe('Identity endpoints', () => {
  let ctx: TestContext;
  let admin: Record<string, string>;
  beforeAll(async () => {
    ctx = await startTestApp();
    admin = bearer(ctx.adminToken);
  });
  afterAll(() => ctx.close());

  describe('users', () => {
    it('accepts the reference example body, returns the new UUID and never a password hash', async () => {
      const userName = unique('ref');
      const body = {
        user: {
          id: 'string',
          userName,
          email: `${userName}@example.com`,
          phoneNumber: 'string',
          title: 'string',
          firstName: 'Ada',
          lastName: 'Lovelace',
          department: 'string',
          birthDate: '2019-08-24T14:15:22Z',
          createdAt: '2019-08-24T14:15:22Z',
          updatedAt: '2019-08-24T14:15:22Z',
          lastDismissMessages: '2019-08-24T14:15:22Z',
          lastLogIn: '2019-08-24T14:15:22Z',
          rank: 0,
          image: 'string',
          address: 'string',
          postalCode: 'string',
          region: 'string',
          city: 'string',
          country: 'string',
          countryCode: 'st',
          mobile: 'string',
          notes: 'string',
          customerId: null,
          roles: ['Sales'],
          apiKeys: [],
          settings: [],
        },
        password: 'a-strong-password',
      };
      const inserted = await ctx.http
        .post('/v1/users')
        .set(admin)
        .set('Content-Type', 'application/json-patch+json')
        .send(JSON.stringify(body))
        .expect(200);
      expect(inserted.body).toMatchObject({ success: true, code: 0 });
      expect(inserted.body.userId).toMatch(/^[0-9a-f-]{36}$/);

      const listed = await ctx.http
        .get('/v1/users')
        .query({ filter: `UserName == "${userName}"`, include: 'roles,apiKeys,settings' })
        .set(admin)
        .expect(200);
      expect(listed.body.totalUsersCount).toBe(1);
      const user = listed.body.users[0];
      expect(user).toMatchObject({
        id: inserted.body.userId,
        userName,
        firstName: 'Ada',
        roles: ['Sales'],
        apiKeys: [],
        settings: [],
      });
      expect(new Date(user.createdAt).getFullYear()).toBeGreaterThanOrEqual(2026);
      expect(JSON.stringify(listed.body)).not.toMatch(/argon2|passwordHash/);
    });

    it('links a user to an existing customer and refuses an unknown one naming the field', async () => {
      const customer = await ctx.http
        .post('/v1/customers')
        .set(admin)
        .send({ customer: { company: unique('Customer Co') } })
        .expect(200);
      const linked = await ctx.http
        .post('/v1/users')
        .set(admin)
        .send({
          user: { userName: unique('cust'), customerId: customer.body.customerId, roles: ['Customer'] },
          password: 'password-1234',
        })
        .expect(200);
      const listed = await ctx.http
        .get('/v1/users')
        .query({ filter: `Id == "${linked.body.userId}"` })
        .set(admin)
        .expect(200);
      expect(listed.body.users[0].customerId).toBe(customer.body.customerId);
      const unknown = await ctx.http
        .post('/v1/users')
        .set(admin)
        .send({ user: { userName: unique('cust'), customerId: 987654321 }, password: 'password-1234' })
        .expect(400);
      expect(unknown.body).toMatchObject({ success: false, code: 107 });
      expect(unknown.body.message).toMatch(/user\.customerId/);
    });

    it('refuses a duplicate user name regardless of case with 409', async () => {
      const userName = unique('dup');
      await ctx.http.post('/v1/users').set(admin).send({ user: { userName }, password: 'password-1234' }).expect(200);
      const again = await ctx.http
        .post('/v1/users')
        .set(admin)
        .send({ user: { userName: userName.toUpperCase() }, password: 'password-1234' })
        .expect(409);
      expect(again.body).toMatchObject({ success: false, code: 501 });
    });

    it('validates bodies: unknown members, wrong types, unknown roles, short passwords', async () => {
      const unknownMember = await ctx.http
        .post('/v1/users')
        .set(admin)
        .send({ user: { userName: unique('x'), shoeSize: 44 }, password: 'password-1234' })
        .expect(400);
      expect(unknownMember.body.message).toMatch(/user\.shoeSize/);
      const wrongType = await ctx.http
        .post('/v1/users')
        .set(admin)
        .send({ user: { userName: unique('x'), rank: 'high' }, password: 'password-1234' })
        .expect(400);
      expect(wrongType.body.message).toMatch(/user\.rank/);
      const badRole = await ctx.http
        .post('/v1/users')
        .set(admin)
        .send({ user: { userName: unique('x'), roles: ['Wizard'] }, password: 'password-1234' })
        .expect(400);
      expect(badRole.body.message).toMatch(/Wizard/);
      await ctx.http
        .post('/v1/users')
        .set(admin)
        .send({ user: { userName: unique('x') }, password: 'short' })
        .expect(400);
    });

    it('filters, sorts, selects and pages', async () => {
      const prefix = unique('page');
      for (const suffix of ['a', 'b', 'c']) {
        await ctx.http
          .post('/v1/users')
          .set(admin)
          .send({
            user: { userName: `${prefix}-${suffix}`, email: suffix === 'c' ? null : `${suffix}@example.com` },
            password: 'password-1234',
          })
          .expect(200);
      }
      const filter = `UserName.StartsWith("${prefix}") && Email != null`;
      const all = await ctx.http.get('/v1/users').query({ filter, sort: 'UserName desc' }).set(admin).expect(200);
      expect(all.body.totalUsersCount).toBe(2);
      expect(all.body.users.map((u: { userName: string }) => u.userName)).toEqual([`${prefix}-b`, `${prefix}-a`]);

      const page = await ctx.http
        .get('/v1/users')
        .query({
          filter: `UserName.Contains("${prefix}")`,
          sort: 'CreatedAt desc',
          select: 'Id,UserName',
          take: 1,
          skip: 1,
        })
        .set(admin)
        .expect(200);
      expect(page.body.totalUsersCount).toBe(3);
      expect(page.body.users).toHaveLength(1);
      expect(Object.keys(page.body.users[0]).sort()).toEqual(['id', 'userName']);
      expect(page.body.users[0].userName).toBe(`${prefix}-b`);
    });

    it('rejects injection attempts and oversized filters with 400 pointing at the problem', async () => {
      const injection = await ctx.http.get('/v1/users').query({ filter: '1;DROP TABLE users' }).set(admin).expect(400);
      expect(injection.body).toMatchObject({ success: false, code: 102 });
      expect(injection.body.message).toMatch(/column|position/i);
      await ctx.http
        .get('/v1/users')
        .query({ filter: 'UserName == "' + 'a'.repeat(10_000) + '"' })
        .set(admin)
        .expect(400);
      const unknown = await ctx.http.get('/v1/users').query({ filter: 'Password == "x"' }).set(admin).expect(400);
      expect(unknown.body.message).toMatch(/Password/);
      await ctx.http.get('/v1/users').query({ take: 5000 }).set(admin).expect(400);
      await ctx.http.get('/v1/users').query({ sort: 'Nope desc' }).set(admin).expect(400);
      await ctx.http.get('/v1/users').query({ include: 'passwords' }).set(admin).expect(400);
      const stillThere = await ctx.http.get('/v1/users').set(admin).expect(200);
      expect(stillThere.body.totalUsersCount).toBeGreaterThan(0);
    });

    it('filters by role with ?roles=', async () => {
      const manager = await createUser(ctx, ['LicenseManager']);
      const response = await ctx.http
        .get('/v1/users')
        .query({ roles: 'LicenseManager', take: 1000 })
        .set(admin)
        .expect(200);
      const ids = response.body.users.map((u: { id: string }) => u.id);
      expect(ids).toContain(manager.id);
      const admins = await ctx.http
        .get('/v1/users')
        .query({ roles: 'Administrator', include: 'roles' })
        .set(admin)
        .expect(200);
      expect(admins.body.users.every((u: { roles: string[] }) => u.roles.includes('Administrator'))).toBe(true);
      expect(admins.body.users.map((u: { id: string }) => u.id)).not.toContain(manager.id);
    });

    it('lets users change their own password only with currentPassword; administrators without', async () => {
      const user = await createUser(ctx, ['Sales']);
      const missing = await ctx.http
        .put('/v1/users')
        .set(bearer(user.token))
        .send({ user: { id: user.id }, newPassword: 'new-password-1' })
        .expect(400);
      expect(missing.body.code).toBe(301);
      await ctx.http
        .put('/v1/users')
        .set(bearer(user.token))
        .send({ user: { id: user.id }, currentPassword: 'wrong', newPassword: 'new-password-1' })
        .expect(403);
      await ctx.http
        .put('/v1/users')
        .set(bearer(user.token))
        .send({
          user: { id: user.id, firstName: 'Self' },
          currentPassword: 'password-1234',
          newPassword: 'new-password-1',
        })
        .expect(200);
      await login(ctx.http, user.userName, 'new-password-1');

      await ctx.http
        .put('/v1/users')
        .set(admin)
        .send({ user: { id: user.id }, newPassword: 'admin-set-password' })
        .expect(200);
      await login(ctx.http, user.userName, 'admin-set-password');

      const other = await createUser(ctx, ['Sales']);
      await ctx.http
        .put('/v1/users')
        .set(bearer(user.token))
        .send({ user: { id: other.id, firstName: 'Hijack' } })
        .expect(403);
      const roleChange = await ctx.http
        .put('/v1/users')
        .set(bearer(user.token))
        .send({ user: { id: user.id, roles: ['Administrator'] } })
        .expect(403);
      expect(roleChange.body.message).toMatch(/roles/);
    });

    it('answers 404 for an unknown user and protects the last administrator', async () => {
      await ctx.http
        .put('/v1/users')
        .set(admin)
        .send({ user: { id: '00000000-0000-4000-8000-000000000000', firstName: 'x' } })
        .expect(404);
      await ctx.http.delete('/v1/users/00000000-0000-4000-8000-000000000000').set(admin).expect(404);
      const admins = await ctx.http.get('/v1/users').query({ roles: 'Administrator' }).set(admin).expect(200);
      const self = admins.body.users.find((u: { userName: string }) => u.userName === 'admin');
      const selfDelete = await ctx.http.delete(`/v1/users/${self.id}`).set(admin).expect(409);
      expect(selfDelete.body.message).toMatch(/own account/);
      if (admins.body.totalUsersCount === 1) {
        const demote = await ctx.http
          .delete(`/v1/users/${self.id}/roles`)
          .set(admin)
          .send({ roles: 'Administrator' })
          .expect(409);
        expect(demote.body.message).toMatch(/last administrator/);
      }
    });
  });

  describe('roles', () => {
    it('lists the five seeded roles', async () => {
      const response = await ctx.http.get('/v1/roles').query({ sort: 'Name' }).set(admin).expect(200);
      expect(response.body.totalRolesCount).toBe(5);
      expect(response.body.roles.map((r: { name: string }) => r.name)).toEqual([
        'Administrator',
        'Application',
        'Customer',
        'LicenseManager',
        'Sales',
      ]);
    });

    it('adds and removes a user to roles, comma-separated', async () => {
      const user = await createUser(ctx, []);
      await ctx.http.post(`/v1/users/${user.id}/roles`).set(admin).send({ roles: 'Sales, LicenseManager' }).expect(200);
      const after = await ctx.http.get(`/v1/users/${user.id}/roles`).set(admin).expect(200);
      expect(after.body.roles.map((r: { name: string }) => r.name).sort()).toEqual(['LicenseManager', 'Sales']);
      expect(after.body.totalRolesCount).toBe(2);
      await ctx.http.delete(`/v1/users/${user.id}/roles`).set(admin).send({ roles: 'Sales' }).expect(200);
      const own = await ctx.http.get(`/v1/users/${user.id}/roles`).set(bearer(user.token)).expect(200);
      expect(own.body.roles.map((r: { name: string }) => r.name)).toEqual(['LicenseManager']);
      await ctx.http.post(`/v1/users/${user.id}/roles`).set(admin).send({ roles: 'Overlord' }).expect(400);
      await ctx.http
        .post(`/v1/users/${user.id}/roles`)
        .set(bearer(user.token))
        .send({ roles: 'Administrator' })
        .expect(403);
    });
  });

  describe('user settings', () => {
    it('answers 404 naming the user for an unknown or malformed user id, without a database error', async () => {
      for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
        const response = await ctx.http.get(`/v1/users/${id}/settings`).set(admin).expect(404);
        expect(response.body.message).toBe(`User ${id} does not exist`);
      }
    });

    it('inserts, lists, updates and deletes a setting; owner and admin only', async () => {
      const user = await createUser(ctx, ['Sales']);
      const inserted = await ctx.http
        .post(`/v1/users/${user.id}/settings`)
        .set(bearer(user.token))
        .send({ setting: { category: 'ui', name: 'theme', value: 'dark', type: 'string' } })
        .expect(200);
      expect(inserted.body.settingId).toBeGreaterThan(0);
      await ctx.http
        .post(`/v1/users/${user.id}/settings`)
        .set(bearer(user.token))
        .send({ setting: { category: 'ui', name: 'theme', value: 'light' } })
        .expect(409);
      const updated = await ctx.http
        .put(`/v1/users/${user.id}/settings`)
        .set(admin)
        .send({ setting: { id: inserted.body.settingId, value: 'light' } })
        .expect(200);
      expect(updated.body.settingsId).toBe(inserted.body.settingId);
      const listed = await ctx.http
        .get(`/v1/users/${user.id}/settings`)
        .query({ filter: 'Name == "theme"' })
        .set(bearer(user.token))
        .expect(200);
      expect(listed.body).toMatchObject({
        totalSettingsCount: 1,
        settings: [{ name: 'theme', value: 'light', category: 'ui', userId: user.id }],
      });

      const other = await createUser(ctx, ['Sales']);
      await ctx.http.get(`/v1/users/${user.id}/settings`).set(bearer(other.token)).expect(403);
      await ctx.http
        .delete(`/v1/users/${user.id}/settings/${inserted.body.settingId}`)
        .set(bearer(user.token))
        .expect(200);
      await ctx.http
        .delete(`/v1/users/${user.id}/settings/${inserted.body.settingId}`)
        .set(bearer(user.token))
        .expect(404);
      await ctx.http.delete(`/v1/users/${user.id}/settings/abc`).set(bearer(user.token)).expect(400);
    });
  });

  describe('API keys', () => {
    it('returns the plain key once and only a hint afterwards', async () => {
      const { id, key } = await createApiKey(ctx, 15, { description: 'ci' });
      const listed = await ctx.http
        .get('/v1/api-keys')
        .query({ filter: `Id == ${id}` })
        .set(admin)
        .expect(200);
      expect(listed.body.totalApiKeysCount).toBe(1);
      const item = listed.body.apiKeys[0];
      expect(item).toMatchObject({ id, permissions: 15, revoked: false, description: 'ci', clientSecret: null });
      expect(item.key).not.toBe(key);
      expect(item.key.startsWith(key.slice(0, 8))).toBe(true);
      expect(JSON.stringify(listed.body)).not.toContain(key);
    });

    it("embeds a user's keys under include=apiKeys without secrets", async () => {
      const user = await createUser(ctx, ['Sales']);
      const { key } = await createApiKey(ctx, 1, { ownerId: user.id });
      const response = await ctx.http
        .get('/v1/users')
        .query({ filter: `Id == "${user.id}"`, include: 'apiKeys' })
        .set(admin)
        .expect(200);
      expect(response.body.users[0].apiKeys).toHaveLength(1);
      expect(JSON.stringify(response.body)).not.toContain(key);
    });

    it('validates and deletes', async () => {
      await ctx.http
        .post('/v1/api-keys')
        .set(admin)
        .send({ apiKey: { name: 'x', permissions: 16 } })
        .expect(400);
      await ctx.http
        .post('/v1/api-keys')
        .set(admin)
        .send({ apiKey: { name: 'x', ownerId: '00000000-0000-4000-8000-000000000000' } })
        .expect(400);
      await ctx.http
        .put('/v1/api-keys')
        .set(admin)
        .send({ apiKey: { id: 999999, name: 'x' } })
        .expect(404);
      const { id, key } = await createApiKey(ctx);
      await ctx.http.delete(`/v1/api-keys/${id}`).set(admin).expect(200);
      await ctx.http.delete(`/v1/api-keys/${id}`).set(admin).expect(404);
      await ctx.http.get('/v1/roles').set('x-api-key', key).expect(401);
    });
  });

  describe('wire format', () => {
    it('answers malformed JSON, oversized bodies and unsupported types with 4xx envelopes', async () => {
      const malformed = await ctx.http
        .post('/v1/users')
        .set(admin)
        .set('Content-Type', 'application/json')
        .send('{"user": {')
        .expect(400);
      expect(malformed.body).toMatchObject({ success: false, code: 101 });
      const xml = await ctx.http.post('/v1/users').set(admin).set('Content-Type', 'application/xml').send('<user/>');
      expect(xml.status).toBe(415);
      expect(xml.body.success).toBe(false);
      const huge = await ctx.http
        .post('/v1/users')
        .set(admin)
        .send({ user: { userName: 'x', notes: 'n'.repeat(11 * 1024 * 1024) }, password: 'password-1234' });
      expect(huge.status).toBe(413);
      expect(huge.body).toMatchObject({ success: false, code: 104 });
    });

    it('serves the OpenAPI document with both security schemes', async () => {
      const response = await ctx.http.get('/swagger-json').expect(200);
      expect(Object.keys(response.body.components.securitySchemes).sort()).toEqual(['api-key', 'bearer']);
      expect(response.body.components.schemas['Management.GetUsersResponse']).toBeDefined();
    });

    it('gives every operation a unique operation id, a summary and a tag', async () => {
      const { body } = await ctx.http.get('/swagger-json').expect(200);
      const operations = Object.entries(
        body.paths as Record<string, Record<string, { operationId?: string; summary?: string; tags?: string[] }>>,
      ).flatMap(([path, item]) =>
        Object.entries(item).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, ...operation })),
      );
      expect(operations.length).toBeGreaterThan(16);
      expect(
        operations
          .filter((operation) => !operation.operationId || !operation.summary || !operation.tags?.length)
          .map((operation) => operation.route),
      ).toEqual([]);
      expect(new Set(operations.map((operation) => operation.operationId)).size).toBe(operations.length);
    });
  });
});
