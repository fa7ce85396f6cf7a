import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { IdempotencyService } from '../src/common/idempotency';
import { TestContext, bearer, createApiKey, startTestApp } from './support/app';
import { createCustomer, createLicense, createSignatureKey } from './support/licensing';

/** Idempotency-Key on Management POSTs and the client API: one effect per key, across instances. */
describe('Idempotency-Key', () => {
  let ctx: TestContext;
  let other: TestContext;
  let db: Client;
  let signatureKeysId: number;

  beforeAll(async () => {
    // One after the other: the first applies the migrations of a fresh database.
    ctx = await startTestApp();
    other = await startTestApp();
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    signatureKeysId = (await createSignatureKey(ctx, 'Ed25519')).id;
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await Promise.all([ctx?.close(), other?.close()]);
  });

  const licensesOf = async (customerId: number): Promise<number> =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM licenses WHERE customer_id = $1', [customerId]))
      .rows[0].n;

  const postLicense = (app: TestContext, key: string, license: Record<string, unknown>, token = app.adminToken) =>
    app.http.post('/v1/licenses').set(bearer(token)).set('Idempotency-Key', key).send({ license });

  it('answers a repeated POST with the first answer and creates one license', async () => {
    const customerId = await createCustomer(ctx);
    const key = randomUUID();
    const body = { signatureKeysId, customerId, licenseeName: 'Ada' };
    const first = await postLicense(ctx, key, body).expect(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(first.body).toMatchObject({ success: true, licenseId: expect.any(Number) });

    // The repeat may reach another instance: it answers the same bytes and runs nothing.
    const again = await postLicense(other, key, body).expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
    expect(await licensesOf(customerId)).toBe(1);

    // What PostgreSQL keeps: the caller, a SHA-256 of the request, and the answer sealed (no user key in clear).
    const { rows } = await db.query(
      `SELECT caller, request_hash, state, response_status, response_body,
              expires_at > now() + interval '23 hours' AS kept_a_day
         FROM idempotency_keys WHERE idempotency_key = $1`,
      [key],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      caller: expect.stringMatching(/^user:/),
      request_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      state: 'completed',
      response_status: 200,
      kept_a_day: true,
    });
    expect(rows[0].response_body).not.toContain(first.body.userKey);

    // Without the header, the same body is a new request.
    await ctx.http.post('/v1/licenses').set(bearer(ctx.adminToken)).send({ license: body }).expect(200);
    expect(await licensesOf(customerId)).toBe(2);
  });

  it('answers 422 for the same key with another body, and keys are per caller', async () => {
    const customerId = await createCustomer(ctx);
    const key = randomUUID();
    await postLicense(ctx, key, { signatureKeysId, customerId, licenseeName: 'Ada' }).expect(200);
    const reused = await postLicense(ctx, key, { signatureKeysId, customerId, licenseeName: 'Bob' }).expect(422);
    expect(reused.body).toEqual({
      success: false,
      code: 531,
      message: `Idempotency-Key "${key}" was already used for a different request (method, path or body); use a new key for a new request`,
    });
    // Another path with the same key is another request too.
    const elsewhere = await ctx.http
      .post('/v1/customers')
      .set(bearer(ctx.adminToken))
      .set('Idempotency-Key', key)
      .send({ customer: { firstName: 'Ada' } })
      .expect(422);
    expect(elsewhere.body.code).toBe(531);

    // An API key is a caller of its own: the same key string runs again for it.
    const apiKey = await createApiKey(ctx, 15);
    const byApiKey = await ctx.http
      .post('/v1/licenses')
      .set('x-api-key', apiKey.key)
      .set('Idempotency-Key', key)
      .send({ license: { signatureKeysId, customerId, licenseeName: 'Bob' } })
      .expect(200);
    expect(byApiKey.headers['idempotent-replayed']).toBeUndefined();
    expect(await licensesOf(customerId)).toBe(2);
    const caller = await db.query('SELECT caller FROM idempotency_keys WHERE idempotency_key = $1 ORDER BY caller', [
      key,
    ]);
    expect(caller.rows.map((row: { caller: string }) => row.caller)).toEqual([
      `apiKey:${apiKey.id}`,
      expect.stringMatching(/^user:/),
    ]);
  });

  it('refuses a malformed key with 400 before anything runs', async () => {
    const customerId = await createCustomer(ctx);
    for (const [key, why] of [
      ['', 'an empty value'],
      ['k'.repeat(256), '256 characters'],
      ['tab\there', 'a character outside printable ASCII'],
    ]) {
      const refused = await postLicense(ctx, key, { signatureKeysId, customerId }).expect(400);
      expect(refused.body).toEqual({
        success: false,
        code: 116,
        message: `Idempotency-Key must be 1 to 255 printable ASCII characters (e.g. a UUID); got ${why}`,
      });
    }
    await postLicense(ctx, 'k'.repeat(255), { signatureKeysId, customerId }).expect(200);
    expect(await licensesOf(customerId)).toBe(1);
  });

  it('creates exactly one license from 20 concurrent repeats on two instances', async () => {
    const customerId = await createCustomer(ctx);
    const key = randomUUID();
    const body = { signatureKeysId, customerId, licenseeName: 'Concurrent' };
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => postLicense(i % 2 ? other : ctx, key, body)),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.every((status) => status === 200 || status === 409)).toBe(true);
    const fresh = answers.filter((answer) => answer.status === 200 && !answer.headers['idempotent-replayed']);
    expect(fresh).toHaveLength(1);
    for (const answer of answers.filter((a) => a.status === 200)) expect(answer.text).toBe(fresh[0].text);
    for (const answer of answers.filter((a) => a.status === 409))
      expect(answer.body).toMatchObject({ success: false, code: 530 });
    expect(await licensesOf(customerId)).toBe(1);

    // Once the first has finished, every repeat is a replay.
    const later = await postLicense(other, key, body).expect(200);
    expect(later.headers['idempotent-replayed']).toBe('true');
    expect(later.text).toBe(fresh[0].text);
  });

  it('keeps no refused first request: a corrected retry with the same key runs', async () => {
    const customerId = await createCustomer(ctx);
    const key = randomUUID();
    const refused = await postLicense(ctx, key, { signatureKeysId, customerId, format: 9 }).expect(400);
    expect(refused.body.message).toMatch(/license\.format/);
    expect((await db.query('SELECT 1 FROM idempotency_keys WHERE idempotency_key = $1', [key])).rows).toHaveLength(0);
    // The same refused request again is refused again (not replayed), then the corrected one creates the license.
    const twice = await postLicense(ctx, key, { signatureKeysId, customerId, format: 9 }).expect(400);
    expect(twice.headers['idempotent-replayed']).toBeUndefined();
    const corrected = await postLicense(ctx, key, { signatureKeysId, customerId }).expect(200);
    expect(corrected.headers['idempotent-replayed']).toBeUndefined();
    expect(await licensesOf(customerId)).toBe(1);
  });

  it('answers 409 to a repeat while the first still runs', async () => {
    const customerId = await createCustomer(ctx);
    const key = randomUUID();
    const body = { signatureKeysId, customerId };
    // The first request's claim, as an instance holds it while its handler runs.
    const hash = await (async () => {
      const done = await postLicense(ctx, key, body).expect(200);
      const { rows } = await db.query<{ request_hash: string }>(
        'SELECT request_hash FROM idempotency_keys WHERE idempotency_key = $1',
        [key],
      );
      return { hash: rows[0].request_hash, text: done.text };
    })();
    await db.query(`UPDATE idempotency_keys SET state = 'running', response_body = NULL WHERE idempotency_key = $1`, [
      key,
    ]);
    const busy = await postLicense(other, key, body).expect(409);
    expect(busy.body).toEqual({
      success: false,
      code: 530,
      message: `A request with Idempotency-Key "${key}" is still running; send it again once it has finished to get its answer`,
    });
    // A claim whose request never finished (its process died) expires and the key runs again.
    await db.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE idempotency_key = $1`, [
      key,
    ]);
    const rerun = await postLicense(other, key, body).expect(200);
    expect(rerun.headers['idempotent-replayed']).toBeUndefined();
    expect(rerun.text).not.toBe(hash.text);
    expect(await licensesOf(customerId)).toBe(2);
  });

  it('replays a client API activation without taking another seat', async () => {
    const { userKey, licenseId } = await createLicense(ctx, {
      signatureKeysId,
      licensingMode: 1,
      maxAllowedSites: 1,
      restrictions: [{ name: 'Hardware', properties: { machineId: 'anywhere' } }],
    });
    const key = randomUUID();
    const activate = (app: TestContext, machineId: string) =>
      app.http.post('/v1/license/activate').set('Idempotency-Key', key).send({ userKey, machineId });
    const first = await activate(ctx, 'machine-A').expect(200);
    expect(first.body).toMatchObject({ success: true, activeClientCount: 1, licenseToken: expect.any(String) });
    const again = await activate(other, 'machine-A').expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
    const tokens = await db.query('SELECT 1 FROM license_tokens WHERE license_id = $1', [licenseId]);
    expect(tokens.rows).toHaveLength(1);
    // The key belongs to the user key; another machine with it is another request.
    expect((await activate(ctx, 'machine-B').expect(422)).body.code).toBe(531);
    const { rows } = await db.query('SELECT caller, response_body FROM idempotency_keys WHERE idempotency_key = $1', [
      key,
    ]);
    expect(rows[0].caller).toMatch(/^userKey:[0-9a-f]{64}$/);
    expect(JSON.stringify(rows[0])).not.toContain(userKey);
    expect(JSON.stringify(rows[0])).not.toContain(first.body.licenseToken);
  });

  it('purges expired keys', async () => {
    const key = randomUUID();
    const customerId = await createCustomer(ctx);
    await postLicense(ctx, key, { signatureKeysId, customerId }).expect(200);
    await db.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE idempotency_key = $1`, [
      key,
    ]);
    expect(await ctx.app.get(IdempotencyService).purge()).toBeGreaterThanOrEqual(1);
    expect((await db.query('SELECT 1 FROM idempotency_keys WHERE idempotency_key = $1', [key])).rows).toHaveLength(0);
  });
});
