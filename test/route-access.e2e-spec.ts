import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestContext, bearer, createApiKey, createUser, startTestApp } from './support/app';

/**
 * The running server enforces the committed route-access table (src/common/auth/route-access.snapshot.json):
 * for every guarded route, each role outside its list and each API key without its bit is refused by the guard,
 * and each role inside the list and a key with just that bit get past it.
 */
interface RouteAccessRow {
  route: string;
  area: string;
  roles: string;
  apiKeyPermission: string | null;
}

const table = JSON.parse(
  readFileSync(join(__dirname, '..', 'src', 'common', 'auth', 'route-access.snapshot.json'), 'utf8'),
) as RouteAccessRow[];
const guarded = table.filter((row) => row.area !== 'public');
const ROLES = ['LicenseManager', 'Sales', 'Customer', 'Application'] as const;
const ROLE_REFUSAL = /^Your roles \(.*\) do not allow /;
const PERMISSION_REFUSAL = /^This API key lacks the /;

/**
 * By default ids that exist nowhere: the guard decides before any lookup, and a handler that runs finds nothing to
 * change.
 */
function concretePath(path: string, userId = '00000000-0000-4000-8000-000000000000'): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'userId' ? userId : '2147480000'));
}

describe('route access as the server enforces it', () => {
  let ctx: TestContext;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  // Four users mean eight argon2 hashes: more than the default hook timeout on a loaded 2-core machine.
  beforeAll(async () => {
    ctx = await startTestApp();
    tokens.Administrator = ctx.adminToken;
    const users = await Promise.all(ROLES.map((role) => createUser(ctx, [role])));
    ROLES.forEach((role, index) => {
      tokens[role] = users[index].token;
      ids[role] = users[index].id;
    });
  }, 120_000);
  afterAll(() => ctx.close());

  async function call(
    route: string,
    headers: Record<string, string>,
    { userId, body = {} }: { userId?: string; body?: object } = {},
  ): Promise<{ status: number; message: string }> {
    const [method, path] = route.split(' ');
    const response = await ctx.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: method as 'GET',
        url: concretePath(path, userId),
        headers: { ...headers, 'content-type': 'application/json' },
        ...(method === 'POST' || method === 'PUT' ? { payload: JSON.stringify(body) } : {}),
      });
    const answer = response.body ? (JSON.parse(response.body) as { message?: string }) : {};
    return { status: response.statusCode, message: answer.message ?? '' };
  }

  it('lists every guarded route', () => {
    expect(guarded.length).toBeGreaterThanOrEqual(83);
  });

  it.each(guarded.map((row) => [row.route, row] as const))(
    '%s: the roles of the table and no others, and no 500 for an empty body',
    async (route, row) => {
      const allowed = row.roles.split(', ');
      expect(allowed).toContain('Administrator');
      for (const role of ['Administrator', ...ROLES]) {
        const { status, message } = await call(route, bearer(tokens[role]));
        const refused = status === 403 && ROLE_REFUSAL.test(message);
        expect({ role, refused, serverError: status >= 500 }).toEqual({
          role,
          refused: !allowed.includes(role),
          serverError: false,
        });
      }
    },
  );

  it.each(guarded.map((row) => [row.route, row] as const))(
    '%s: an API key needs exactly its permission bit',
    async (route, row) => {
      const bit = Number(/\((\d+)\)/.exec(row.apiKeyPermission ?? '')?.[1]);
      expect([1, 2, 4, 8]).toContain(bit);
      const without = await createApiKey(ctx, 15 & ~bit);
      const only = await createApiKey(ctx, bit);
      const refused = await call(route, { 'x-api-key': without.key });
      expect({ status: refused.status, message: refused.message }).toEqual({
        status: 403,
        message: expect.stringMatching(PERMISSION_REFUSAL),
      });
      const admitted = await call(route, { 'x-api-key': only.key });
      expect(PERMISSION_REFUSAL.test(admitted.message) || ROLE_REFUSAL.test(admitted.message)).toBe(false);
    },
  );

  // `authenticated` admits every signed-in principal to these routes; the services keep each to the caller's own user.
  const ownUserRoutes = guarded.filter((row) => row.area === 'authenticated' && row.route.includes('{userId}'));

  it.each(ownUserRoutes.map((row) => [row.route] as const))(
    '%s: only administrators reach another user',
    async (route) => {
      // A valid body, so that the answer is the service's ownership check and not validation.
      const on = (userId: string) =>
        call(route, bearer(tokens.Sales), {
          userId,
          body: { setting: { id: 2147480000, name: 'theme', value: 'dark' } },
        });
      expect(await on(ids.Customer)).toEqual({ status: 403, message: expect.stringMatching(/another user/) });
      expect((await on(ids.Sales)).status).not.toBe(403);
    },
  );

  it('PUT /v1/users: a user who is not an administrator updates only their own account', async () => {
    const caller = { id: ids.Customer, token: tokens.Customer };
    const foreign = await ctx.http
      .put('/v1/users')
      .set(bearer(caller.token))
      .send({ user: { id: ids.Sales, firstName: 'Mallory' } })
      .expect(403);
    expect(foreign.body.message).toBe('You may only update your own account');
    await ctx.http
      .put('/v1/users')
      .set(bearer(caller.token))
      .send({ user: { id: caller.id, firstName: 'Alice' } })
      .expect(200);
  });
});
