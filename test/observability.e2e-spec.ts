import { DataSource } from 'typeorm';
import { DatabaseLogService } from '../src/modules/log/database-log.service';
import { TestContext, bearer, createApiKey, startTestApp } from './support/app';
import { createLicense, createSignatureKey } from './support/licensing';

const METRICS_TOKEN = 'metrics-token-for-the-observability-spec';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface LogLine {
  level: string;
  msg: string;
  requestId?: string;
  method?: string;
  route?: string;
  path?: string;
  status?: number;
  durationMs?: number;
}

/** The value of one series in a Prometheus text exposition (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((label) => have.includes(label))) return Number(match[3]);
  }
  return 0;
}

describe('Structured logs and metrics', () => {
  let ctx: TestContext;
  const written: string[] = [];
  const lines = (): LogLine[] =>
    written
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogLine);
  const saved = { metricsToken: process.env.METRICS_TOKEN, bodyLimit: process.env.BODY_LIMIT_BYTES };

  beforeAll(async () => {
    process.env.METRICS_TOKEN = METRICS_TOKEN;
    process.env.BODY_LIMIT_BYTES = '4096';
    ctx = await startTestApp({
      logger: ['fatal', 'error', 'warn', 'log'],
      logDestination: { write: (chunk: string) => void written.push(chunk) },
    });
  }, 60_000);
  afterAll(async () => {
    await ctx?.close();
    for (const [name, value] of [
      ['METRICS_TOKEN', saved.metricsToken],
      ['BODY_LIMIT_BYTES', saved.bodyLimit],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const scrape = async () =>
    (
      await ctx.http
        .get('/metrics')
        .set(bearer(METRICS_TOKEN))
        .expect(200)
        .expect('content-type', /^text\/plain/)
    ).text;

  describe('request log lines', () => {
    it('writes one JSON line per request with method, route pattern, status, duration and the request id it answered', async () => {
      const answer = await ctx.http
        .get('/v1/licenses/987654321/tokens')
        .set(bearer(ctx.adminToken))
        .set('X-Request-Id', 'support-ticket-4711')
        .expect(404);
      expect(answer.headers['x-request-id']).toBe('support-ticket-4711');
      const line = lines().find((entry) => entry.requestId === 'support-ticket-4711');
      expect(line).toMatchObject({
        level: 'warn',
        msg: 'request completed',
        method: 'GET',
        route: '/v1/licenses/:licenseId/tokens',
        path: '/v1/licenses/987654321/tokens',
        status: 404,
      });
      expect(line!.durationMs).toEqual(expect.any(Number));
      expect(line!.durationMs).toBeGreaterThan(0);
      expect(lines().filter((entry) => entry.requestId === 'support-ticket-4711')).toHaveLength(1);
    });

    it('stores the same request id with the database log entry of the request', async () => {
      const answer = await ctx.http.get('/v1/users').set(bearer(ctx.adminToken)).expect(200);
      const id = answer.headers['x-request-id'] as string;
      expect(id).toMatch(UUID);
      await ctx.app.get(DatabaseLogService).flush();
      const rows = await ctx.app
        .get(DataSource)
        .query<Array<{ properties: string }>>(
          `SELECT properties FROM log_entries WHERE properties::jsonb ->> 'RequestId' = $1`,
          [id],
        );
      expect(rows).toHaveLength(1);
      expect(JSON.parse(rows[0].properties)).toMatchObject({ RequestId: id, Route: '/v1/users', StatusCode: 200 });
      expect(lines().find((entry) => entry.requestId === id)).toMatchObject({ route: '/v1/users', status: 200 });
    });

    it('never writes a token or API key sent in a header', async () => {
      const apiKey = await createApiKey(ctx, 15);
      await ctx.http.get('/v1/users').set(bearer(ctx.adminToken)).expect(200);
      await ctx.http.get('/v1/users').set('x-api-key', apiKey.key).expect(200);
      await ctx.http.get('/v1/users').set('x-api-key', `${apiKey.key}-wrong`).expect(401);
      await ctx.http.get('/v1/users').set('Authorization', 'Bearer not.a.valid-jwt-secret-value').expect(401);
      await ctx.http.get('/metrics').set(bearer(METRICS_TOKEN)).expect(200);
      await ctx.http.get('/v1/users').set('Cookie', 'session=cookie-secret-value').set(bearer(ctx.adminToken));
      const all = written.join('');
      expect(all).toContain('"route":"/v1/users"');
      for (const secret of [
        ctx.adminToken,
        apiKey.key,
        'not.a.valid-jwt-secret-value',
        METRICS_TOKEN,
        'cookie-secret-value',
        'admin-test-password',
      ])
        expect(all).not.toContain(secret);
    });

    it('generates an id for an unusable X-Request-Id and returns an id on 404s, 413s, 401s and client API answers', async () => {
      for (const unusable of ['has spaces in it', 'x'.repeat(129), 'tab\tinside']) {
        const answer = await ctx.http.get('/health/live').set('X-Request-Id', unusable).expect(200);
        expect(answer.headers['x-request-id']).toMatch(UUID);
      }
      const longest = 'a'.repeat(128);
      expect((await ctx.http.get('/health/live').set('X-Request-Id', longest)).headers['x-request-id']).toBe(longest);

      const unknown = await ctx.http.get('/v1/no-such-route').expect(404);
      expect(unknown.headers['x-request-id']).toMatch(UUID);
      expect(lines().find((entry) => entry.requestId === unknown.headers['x-request-id'])).toMatchObject({
        route: '(unmatched)',
        status: 404,
      });
      const tooLarge = await ctx.http
        .post('/v1/auth/login')
        .set('X-Request-Id', 'too-large-1')
        .send({ userName: 'a'.repeat(5000), password: 'x' });
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.headers['x-request-id']).toBe('too-large-1');
      const unauthorized = await ctx.http.get('/v1/users').expect(401);
      expect(unauthorized.headers['x-request-id']).toMatch(UUID);
      const client = await ctx.http.post('/v1/license/validate').send({ userKey: 'NO-SUCH-KEY' });
      expect(client.status).toBe(404);
      expect(client.headers['x-request-id']).toMatch(UUID);
    });

    it('writes Nest and exception filter messages through the same JSON logger', () => {
      expect(lines().some((entry) => /Mapped \{\/v1\/licenses/.test(entry.msg))).toBe(true);
      expect(written.join('')).not.toContain('\u001b[');
    });
  });

  describe('/metrics', () => {
    it('answers 401 without the METRICS_TOKEN and Prometheus text with it, outside the /v1 envelope', async () => {
      const refused = await ctx.http.get('/metrics').expect(401);
      expect(refused.body).toMatchObject({ success: false, code: 200 });
      await ctx.http.get('/metrics').set(bearer('wrong-token-of-some-length')).expect(401);
      await ctx.http.get('/metrics').set(bearer(ctx.adminToken)).expect(401);
      const text = await scrape();
      expect(text).toMatch(/^# HELP /m);
      expect(text).not.toContain('"success"');
      expect(text).toContain('process_cpu_user_seconds_total');
      expect(text).toContain('nodejs_eventloop_lag_seconds');
      expect(sample(text, 'database_pool_max')).toBeGreaterThan(0);
      expect(sample(text, 'database_pool_connections', { state: 'total' })).toBeGreaterThan(0);
      expect(text).toMatch(/^log_write_queue_length \d+$/m);
      expect(
        sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/v1/users', status: '200' }),
      ).toBeGreaterThan(0);
    });

    it('counts an activation, a refused activation seat and a refused floating seat', async () => {
      const key = await createSignatureKey(ctx, 'Ed25519');
      const before = await scrape();
      const activation = await createLicense(ctx, {
        signatureKeysId: key.id,
        licensingMode: 1,
        maxAllowedSites: 1,
        licenseeName: 'Metrics',
      });
      const floating = await createLicense(ctx, {
        signatureKeysId: key.id,
        licensingMode: 2,
        maxAllowedSites: 1,
        licenseeName: 'Metrics',
      });
      const post = (path: string, body: Record<string, unknown>) => ctx.http.post(`/v1/license/${path}`).send(body);
      await post('activate', { userKey: activation.userKey, machineId: 'machine-a' }).expect(200);
      await post('activate', { userKey: activation.userKey, machineId: 'machine-a' }).expect(200);
      expect(
        (await post('activate', { userKey: activation.userKey, machineId: 'machine-b' }).expect(409)).body.code,
      ).toBe(503);
      await post('floating/request', { userKey: floating.userKey, clientId: 'client-1' }).expect(200);
      await post('floating/request', { userKey: floating.userKey, clientId: 'client-2' }).expect(409);
      await post('validate', { userKey: activation.userKey, machineId: 'machine-a' }).expect(200);
      const after = await scrape();

      const delta = (name: string, labels: Record<string, string>) =>
        sample(after, name, labels) - sample(before, name, labels);
      expect(delta('licensing_activations_total', { result: 'activated' })).toBe(1);
      expect(delta('licensing_activations_total', { result: 'reactivated' })).toBe(1);
      expect(delta('licensing_activations_total', { result: 'NoFreeSeat' })).toBe(1);
      expect(delta('licensing_seats_total', { kind: 'activation', outcome: 'granted' })).toBe(1);
      expect(delta('licensing_seats_total', { kind: 'activation', outcome: 'refused' })).toBe(1);
      expect(delta('licensing_seats_total', { kind: 'floating', outcome: 'granted' })).toBe(1);
      expect(delta('licensing_seats_total', { kind: 'floating', outcome: 'refused' })).toBe(1);
      expect(delta('licensing_floating_requests_total', { result: 'NoFreeSeat' })).toBe(1);
      expect(delta('licensing_validations_total', { result: 'valid' })).toBe(1);
      expect(delta('licensing_licenses_generated_total', { algorithm: 'Ed25519' })).toBe(2);
      expect(sample(after, 'licensing_seats_in_use', { kind: 'activation' })).toBeGreaterThanOrEqual(1);
      expect(sample(after, 'licensing_seats_in_use', { kind: 'floating' })).toBeGreaterThanOrEqual(1);
      expect(
        delta('http_request_duration_seconds_count', {
          method: 'POST',
          route: '/v1/license/activate',
          status: '409',
        }),
      ).toBe(1);
    });
  });
});
