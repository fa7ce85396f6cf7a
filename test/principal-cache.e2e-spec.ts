import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { LISTENER_APPLICATION_NAME, PrincipalListener } from '../src/modules/auth/principal-listener';
import { TestContext, bearer, createApiKey, createUser, login, startTestApp } from './support/app';

/** The two statements AuthService runs to resolve a caller (by API key hash, by user id). */
const AUTH_SQL = /FROM api_keys k JOIN users u|FROM users u LEFT JOIN user_roles/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts the auth lookups the application's DataSource runs while `action` does. */
async function authQueriesDuring(ctx: TestContext, action: () => Promise<unknown>): Promise<number> {
  const spy = jest.spyOn(ctx.app.get(DataSource).logger, 'logQuery');
  try {
    await action();
    return spy.mock.calls.filter(([sql]) => AUTH_SQL.test(sql)).length;
  } finally {
    spy.mockRestore();
  }
}

/** Polls until `check` holds, for at most `ms`; answers whether it did. */
async function eventually(check: () => Promise<boolean> | boolean, ms = 2000): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await sleep(25);
  }
}

describe('Principal cache (AUTH_PRINCIPAL_CACHE_SECONDS, invalidated by PostgreSQL NOTIFY)', () => {
  let ctx: TestContext;
  let sql: Client;
  beforeAll(async () => {
    ctx = await startTestApp();
    // Another instance sharing the database, as far as this one can tell.
    sql = new Client({ connectionString: process.env.DATABASE_URL });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await ctx?.close();
  });

  const getRoles = (key: string) => ctx.http.get('/v1/roles').set('x-api-key', key);

  it('answers a repeated API key or token without an auth query', async () => {
    const { key } = await createApiKey(ctx);
    expect(await authQueriesDuring(ctx, () => getRoles(key).expect(200))).toBe(1);
    expect(await authQueriesDuring(ctx, () => getRoles(key).expect(200))).toBe(0);

    const user = await createUser(ctx, ['Administrator']);
    expect(await authQueriesDuring(ctx, () => ctx.http.get('/v1/roles').set(bearer(user.token)).expect(200))).toBe(1);
    expect(await authQueriesDuring(ctx, () => ctx.http.get('/v1/roles').set(bearer(user.token)).expect(200))).toBe(0);
  });

  it('keeps the cache across logins (they update users, but not user_name)', async () => {
    const user = await createUser(ctx, ['Administrator']);
    await ctx.http.get('/v1/roles').set(bearer(user.token)).expect(200);
    await login(ctx.http, user.userName, 'password-1234');
    await ctx.http.post('/v1/auth/login').send({ userName: user.userName, password: 'wrong-password' }).expect(401);
    await sleep(100); // a notification, had there been one, arrives meanwhile
    expect(await authQueriesDuring(ctx, () => ctx.http.get('/v1/roles').set(bearer(user.token)).expect(200))).toBe(0);
  });

  it('answers 401 on the very next request after the key is revoked through the API', async () => {
    const { id, key } = await createApiKey(ctx);
    await getRoles(key).expect(200);
    await getRoles(key).expect(200);
    await ctx.http
      .put('/v1/api-keys')
      .set(bearer(ctx.adminToken))
      .send({ apiKey: { id, revoked: true } })
      .expect(200);
    const response = await getRoles(key).expect(401);
    expect(response.body).toMatchObject({ success: false, code: 203 });
  });

  it('answers 401 on the very next request after the key is deleted or its permissions change', async () => {
    const deleted = await createApiKey(ctx);
    await getRoles(deleted.key).expect(200);
    await ctx.http.delete(`/v1/api-keys/${deleted.id}`).set(bearer(ctx.adminToken)).expect(200);
    await getRoles(deleted.key).expect(401);

    const narrowed = await createApiKey(ctx);
    await getRoles(narrowed.key).expect(200);
    await ctx.http
      .put('/v1/api-keys')
      .set(bearer(ctx.adminToken))
      .send({ apiKey: { id: narrowed.id, permissions: 8 } })
      .expect(200);
    await getRoles(narrowed.key).expect(403);
  });

  it('answers 401 ApiKeyExpired as soon as a cached key expires', async () => {
    const { key } = await createApiKey(ctx, 15, { expireDate: new Date(Date.now() + 1500).toISOString() });
    await getRoles(key).expect(200);
    expect(await authQueriesDuring(ctx, () => getRoles(key).expect(200))).toBe(0);
    await sleep(1600);
    let status = 0;
    let code = 0;
    // Answered from the cache: the expiry is checked again on every use.
    expect(
      await authQueriesDuring(ctx, async () => {
        const response = await getRoles(key);
        ({ status } = response);
        code = response.body.code;
      }),
    ).toBe(0);
    expect({ status, code }).toEqual({ status: 401, code: 204 });
  });

  it('stops honouring a deleted user (token and API keys) on the very next request', async () => {
    const user = await createUser(ctx, ['Administrator']);
    const { key } = await createApiKey(ctx, 15, { ownerId: user.id });
    await ctx.http.get('/v1/roles').set(bearer(user.token)).expect(200);
    await getRoles(key).expect(200);
    await ctx.http.delete(`/v1/users/${user.id}`).set(bearer(ctx.adminToken)).expect(200);
    await ctx.http.get('/v1/roles').set(bearer(user.token)).expect(401);
    await getRoles(key).expect(401);
  });

  it('applies a removed or added role on the very next request', async () => {
    const user = await createUser(ctx, ['Administrator', 'Sales']);
    const { key } = await createApiKey(ctx, 15, { ownerId: user.id });
    await ctx.http.get('/v1/roles').set(bearer(user.token)).expect(200);
    await getRoles(key).expect(200);
    await ctx.http
      .delete(`/v1/users/${user.id}/roles`)
      .set(bearer(ctx.adminToken))
      .send({ roles: 'Administrator' })
      .expect(200);
    await ctx.http.get('/v1/roles').set(bearer(user.token)).expect(403);
    await getRoles(key).expect(403);
    await ctx.http
      .post(`/v1/users/${user.id}/roles`)
      .set(bearer(ctx.adminToken))
      .send({ roles: 'Administrator' })
      .expect(200);
    await ctx.http.get('/v1/roles').set(bearer(user.token)).expect(200);
    await getRoles(key).expect(200);
  });

  it('sees changes made directly in the database (another instance) within moments, through NOTIFY', async () => {
    const { id, key } = await createApiKey(ctx);
    await getRoles(key).expect(200);
    expect(await authQueriesDuring(ctx, () => getRoles(key).expect(200))).toBe(0);
    await sql.query('UPDATE api_keys SET revoked = true WHERE id = $1', [id]);
    expect(await eventually(async () => (await getRoles(key)).status === 401)).toBe(true);

    const user = await createUser(ctx, ['Administrator']);
    await ctx.http.get('/v1/roles').set(bearer(user.token)).expect(200);
    expect(await authQueriesDuring(ctx, () => ctx.http.get('/v1/roles').set(bearer(user.token)).expect(200))).toBe(0);
    await sql.query('DELETE FROM user_roles WHERE user_id = $1', [user.id]);
    expect(await eventually(async () => (await ctx.http.get('/v1/roles').set(bearer(user.token))).status === 403)).toBe(
      true,
    );

    const gone = await createUser(ctx, ['Administrator']);
    const info = () => ctx.http.get(`/v1/users/${gone.id}/roles`).set(bearer(gone.token));
    await info().expect(200);
    await sql.query('DELETE FROM users WHERE id = $1', [gone.id]);
    expect(await eventually(async () => (await info()).status === 401)).toBe(true);
  });

  it('bypasses the cache while the listening connection is lost, and resumes once it reconnects', async () => {
    const listener = ctx.app.get(PrincipalListener);
    const { id, key } = await createApiKey(ctx);
    await getRoles(key).expect(200);
    expect(listener.listening).toBe(true);

    const killed = await sql.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()',
      [LISTENER_APPLICATION_NAME],
    );
    expect(killed.rowCount).toBe(1);
    expect(await eventually(() => !listener.listening)).toBe(true);

    // Not listening: every request looks its caller up, so a change is seen at once.
    if (!listener.listening) {
      expect(await authQueriesDuring(ctx, () => getRoles(key).expect(200))).toBe(1);
      expect(await authQueriesDuring(ctx, () => getRoles(key).expect(200))).toBe(1);
    }
    expect(await eventually(() => listener.listening, 5000)).toBe(true);
    await getRoles(key).expect(200);
    expect(await authQueriesDuring(ctx, () => getRoles(key).expect(200))).toBe(0);

    // Listening again, and the notifications work on the new connection.
    await sql.query('UPDATE api_keys SET revoked = true WHERE id = $1', [id]);
    expect(await eventually(async () => (await getRoles(key)).status === 401)).toBe(true);
  });
});
