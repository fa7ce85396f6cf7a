import { ADMIN, TestContext, bearer, createApiKey, createUser, login, startTestApp, unique } from './support/app';

describe('Authentication and the global guard', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp();
  });
  afterAll(() => ctx.close());

  it('logs the administrator in with a JWT and an expiry', async () => {
    const response = await ctx.http.post('/v1/auth/login').send(ADMIN).expect(200);
    expect(response.body).toMatchObject({ success: true, code: 0 });
    expect(response.body.token.split('.')).toHaveLength(3);
    expect(new Date(response.body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 25 * 60 * 1000);
  });

  it('refuses a wrong password with 401 and the same message as an unknown user', async () => {
    const wrong = await ctx.http
      .post('/v1/auth/login')
      .send({ userName: ADMIN.userName, password: 'nope-nope' })
      .expect(401);
    const unknown = await ctx.http
      .post('/v1/auth/login')
      .send({ userName: unique('ghost'), password: 'nope-nope' })
      .expect(401);
    expect(wrong.body).toMatchObject({ success: false, code: 201 });
    expect(unknown.body.message).toBe(wrong.body.message);
  });

  it('locks an account after five failed logins', async () => {
    const user = await createUser(ctx, ['Sales']);
    for (let attempt = 0; attempt < 5; attempt++) {
      await ctx.http.post('/v1/auth/login').send({ userName: user.userName, password: 'wrong-password' }).expect(401);
    }
    const locked = await ctx.http
      .post('/v1/auth/login')
      .send({ userName: user.userName, password: 'password-1234' })
      .expect(401);
    expect(locked.body.code).toBe(202);
    expect(locked.body.message).toMatch(/locked/);
  });

  it('answers 401 on every management route without credentials, and lets login and health through', async () => {
    for (const [method, path] of [
      ['get', '/v1/users'],
      ['post', '/v1/users'],
      ['put', '/v1/users'],
      ['delete', '/v1/users/00000000-0000-0000-0000-000000000000'],
      ['get', '/v1/api-keys'],
      ['get', '/v1/roles'],
      ['get', '/v1/users/00000000-0000-0000-0000-000000000000/settings'],
      ['get', '/v1/users/00000000-0000-0000-0000-000000000000/roles'],
    ] as const) {
      const response = await ctx.http[method](path).send({});
      expect({ path, method, status: response.status }).toEqual({ path, method, status: 401 });
      expect(response.body).toMatchObject({ success: false, code: 200 });
    }
    await ctx.http.get('/health/live').expect(200);
    await ctx.http.get('/health/ready').expect(200);
  });

  it('answers 401 to a forged, expired-looking or garbage token', async () => {
    const [header, payload] = ctx.adminToken.split('.');
    const forged = `${header}.${payload}.${Buffer.from('forged-signature').toString('base64url')}`;
    const response = await ctx.http.get('/v1/users').set(bearer(forged)).expect(401);
    expect(response.body.message).toMatch(/invalid/i);
    await ctx.http.get('/v1/users').set(bearer('not-a-jwt')).expect(401);
  });

  it('accepts a fresh API key, and refuses it once revoked, expired or forged', async () => {
    const { id, key } = await createApiKey(ctx);
    expect(key).toMatch(/^api_[a-z0-9]{24}$/);
    const listed = await ctx.http.get('/v1/users').set('x-api-key', key).expect(200);
    expect(listed.body.totalUsersCount).toBeGreaterThanOrEqual(1);

    await ctx.http
      .get('/v1/users')
      .set('x-api-key', `api_${'x'.repeat(24)}`)
      .expect(401);

    await ctx.http
      .put('/v1/api-keys')
      .set(bearer(ctx.adminToken))
      .send({ apiKey: { id, revoked: true } })
      .expect(200);
    const revoked = await ctx.http.get('/v1/users').set('x-api-key', key).expect(401);
    expect(revoked.body).toMatchObject({ success: false, code: 203 });

    const second = await createApiKey(ctx);
    await ctx.http
      .put('/v1/api-keys')
      .set(bearer(ctx.adminToken))
      .send({ apiKey: { id: second.id, expireDate: new Date(Date.now() - 1000).toISOString() } })
      .expect(200);
    const expired = await ctx.http.get('/v1/users').set('x-api-key', second.key).expect(401);
    expect(expired.body.code).toBe(204);
  });

  it('answers the same with an API key alone, an empty one, or one beside a login token', async () => {
    const { key } = await createApiKey(ctx, 1);
    const empty = await ctx.http.get('/v1/users').set('x-api-key', '').expect(401);
    expect(empty.body).toMatchObject({ success: false, message: expect.stringMatching(/Authentication required/) });
    const unknown = await ctx.http
      .get('/v1/users')
      .set('x-api-key', `api_${'y'.repeat(24)}`)
      .expect(401);
    expect(unknown.body.success).toBe(false);
    // A valid login token wins over a read-only key: the admin may delete, the key alone may not.
    await ctx.http.delete('/v1/api-keys/999999').set('x-api-key', key).expect(403);
    await ctx.http.delete('/v1/api-keys/999999').set('x-api-key', key).set(bearer(ctx.adminToken)).expect(404);
    // A broken login token beside a valid key: the key still lets the caller in, as before.
    await ctx.http.get('/v1/roles').set('x-api-key', key).set(bearer('not-a-jwt')).expect(200);
  });

  it('enforces API key permission bits per HTTP method', async () => {
    const readOnly = await createApiKey(ctx, 1);
    await ctx.http.get('/v1/roles').set('x-api-key', readOnly.key).expect(200);
    const post = await ctx.http
      .post('/v1/users')
      .set('x-api-key', readOnly.key)
      .send({ user: { userName: unique('u') }, password: 'password-1234' })
      .expect(403);
    expect(post.body.message).toMatch(/Create/);
    await ctx.http.delete('/v1/api-keys/999999').set('x-api-key', readOnly.key).expect(403);
    const createOnly = await createApiKey(ctx, 8);
    await ctx.http.get('/v1/roles').set('x-api-key', createOnly.key).expect(403);
  });

  it('answers 403 when the role does not allow the area', async () => {
    const sales = await createUser(ctx, ['Sales']);
    const response = await ctx.http.get('/v1/users').set(bearer(sales.token)).expect(403);
    expect(response.body).toMatchObject({ success: false, code: 300 });
    expect(response.body.message).toMatch(/Administrator/);
    await ctx.http.get('/v1/api-keys').set(bearer(sales.token)).expect(403);
    // An API key acts with its owner's roles.
    const salesKey = await createApiKey(ctx, 15, { ownerId: sales.id });
    await ctx.http.get('/v1/roles').set('x-api-key', salesKey.key).expect(403);
  });

  it('stops honouring a token once its user is deleted', async () => {
    const user = await createUser(ctx, ['LicenseManager']);
    await ctx.http.get(`/v1/users/${user.id}/roles`).set(bearer(user.token)).expect(200);
    await ctx.http.delete(`/v1/users/${user.id}`).set(bearer(ctx.adminToken)).expect(200);
    await ctx.http.get(`/v1/users/${user.id}/roles`).set(bearer(user.token)).expect(401);
  });

  it('logs in with the user name in any case', async () => {
    const token = await login(ctx.http, ADMIN.userName.toUpperCase(), ADMIN.password);
    expect(token).toBeTruthy();
  });
});
