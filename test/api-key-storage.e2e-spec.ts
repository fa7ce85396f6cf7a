import { Client } from 'pg';
import { TestContext, createApiKey, startTestApp } from './support/app';

/** What PostgreSQL holds for an API key: its SHA-256, computed here by PostgreSQL itself, and nothing of the key. */
describe('API key storage', () => {
  let ctx: TestContext;
  let db: Client;
  beforeAll(async () => {
    ctx = await startTestApp();
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await ctx.close();
  });

  it('stores the SHA-256 of the key, hex-encoded, and never the key', async () => {
    const { id, key } = await createApiKey(ctx, 15);
    const { rows } = await db.query(
      `SELECT k.*, k.key_hash = encode(sha256(convert_to($2, 'UTF8')), 'hex') AS is_sha256
         FROM api_keys k WHERE k.id = $1`,
      [id, key],
    );
    expect(rows).toHaveLength(1);
    const { is_sha256, ...stored } = rows[0] as Record<string, unknown>;
    expect(stored.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(is_sha256).toBe(true);
    // Neither the key nor its random part is in any column (the hint keeps a few characters only).
    const text = JSON.stringify(stored);
    expect(text).not.toContain(key);
    expect(text).not.toContain(key.slice(4));
    expect(String(stored.key_hint).replace(/[^a-z0-9]/g, '').length).toBeLessThan(16);

    // And the key still authenticates: the server looks it up by that hash.
    await ctx.http.get('/v1/roles').set('x-api-key', key).expect(200);
  });
});
