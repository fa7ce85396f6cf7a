/** The licenses table the list benches measure on: customers and licenses seeded with set-based SQL, and EXPLAIN. */
import type { Client } from 'pg';

export const CUSTOMERS = 10_000;

/**
 * Inserts CUSTOMERS customers and `licenses` licenses (every one signed alike with the sample's key), 30 s apart in
 * created_at; answers the first customer's id.
 */
export async function seedLicenses(
  db: Client,
  licenses: number,
  licenseKey: string,
  signatureKeysId: number,
  signingKeyId: string,
): Promise<number> {
  await db.query(
    `INSERT INTO customers (code, first_name, last_name, company, email)
     SELECT 'BENCH-' || i, 'First' || i, 'Last' || i, 'Company ' || i, 'customer' || i || '@example.com' FROM generate_series(1, $1) AS i`,
    [CUSTOMERS],
  );
  const [{ first }] = (await db.query(`SELECT min(id) AS first FROM customers WHERE code LIKE 'BENCH-%'`)).rows;
  const batch = 100_000;
  for (let from = 1; from <= licenses; from += batch) {
    const started = Date.now();
    await db.query(
      `INSERT INTO licenses (license_id, license_type, format, created_at, updated_at, issue_date, expire_date, support_expire_date, revoked, trace,
                             license_key, max_allowed_sites, user_key, licensing_mode, licensee_name, licensee_company, licensee_email, hash,
                             signature_keys_id, signing_key_id, customer_id, product, features)
       SELECT 'lic' || upper(lpad(to_hex(i), 8, '0')), 'Standard', i % 4, t.at, t.at, t.at, t.at + interval '365 days', t.at + interval '90 days',
              i % 50 = 0, i % 10 = 0, $3, CASE WHEN i % 3 = 0 THEN NULL ELSE 1 + i % 5 END,
              upper(substr(md5(i::text), 1, 5) || '-' || substr(md5(i::text), 6, 5) || '-' || substr(md5(i::text), 11, 5) || '-' || substr(md5(i::text), 16, 5)),
              i % 3, 'Licensee ' || i, 'Company ' || (i % ${CUSTOMERS}), 'user' || i || '@example.com', md5(i::text) || md5((-i)::text),
              $4, $5, $6 + (i % ${CUSTOMERS}), '{"id":"1","name":"Suite","version":"1.0"}', '[{"name":"Reports"}]'
         FROM generate_series($1::int, $2::int) AS i, LATERAL (SELECT now() - make_interval(secs => i * 30) AS at) AS t`,
      [from, Math.min(from + batch - 1, licenses), licenseKey, signatureKeysId, signingKeyId, first],
    );
    process.stdout.write(
      `  seeded ${Math.min(from + batch - 1, licenses).toLocaleString('en')} licenses (${Date.now() - started} ms)\n`,
    );
  }
  await db.query('VACUUM ANALYZE licenses');
  await db.query('VACUUM ANALYZE customers');
  return Number(first);
}

/** What the rounds need of a service: an API key that reads licenses, and the first of its seeded customers. */
export interface ListFixture {
  apiKey: string;
  firstCustomer: number;
}

/**
 * Seeds a service: an API key, a sample license signed through the API (kept, or deleted before the seed), then
 * `licenses` licenses signed alike over CUSTOMERS customers in set-based SQL on its database (`db`).
 */
export async function seedThroughService(
  port: number,
  env: NodeJS.ProcessEnv,
  db: Client,
  licenses: number,
  options: { keepSample: boolean } = { keepSample: true },
): Promise<ListFixture> {
  const base = `http://127.0.0.1:${port}`;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const call = async (method: string, path: string, body?: object, token?: string): Promise<any> => {
    const response = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const { token } = await call('POST', '/v1/auth/login', { userName: 'admin', password: env.ADMIN_PASSWORD });
  const { apiKey } = await call('POST', '/v1/api-keys', { apiKey: { name: 'bench', permissions: 1 } }, token);
  const { resourceId } = await call(
    'POST',
    '/v1/resources',
    { resource: { name: 'bench key', type: 'Ed25519' } },
    token,
  );
  const sample = await call(
    'POST',
    '/v1/licenses',
    {
      license: {
        signatureKeysId: resourceId,
        format: 1,
        licenseeName: 'Sample Licensee',
        licenseeEmail: 'sample@example.com',
        features: [{ name: 'Reports' }],
      },
    },
    token,
  );
  const [{ signing_key_id: signingKeyId }] = (
    await db.query('SELECT signing_key_id FROM licenses WHERE id = $1', [sample.licenseId])
  ).rows;
  if (!options.keepSample) await db.query('DELETE FROM licenses');
  console.log(
    `seeding ${licenses.toLocaleString('en')} licenses over ${CUSTOMERS.toLocaleString('en')} customers (license key ${sample.licenseKey.length} bytes each)`,
  );
  const firstCustomer = await seedLicenses(db, licenses, sample.licenseKey, resourceId, signingKeyId);
  return { apiKey, firstCustomer };
}

export async function explain(db: Client, label: string, sql: string, parameters: unknown[]): Promise<void> {
  const plan = (await db.query(`EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF, SUMMARY ON) ${sql}`, parameters)).rows.map(
    (row) => row['QUERY PLAN'] as string,
  );
  const scans = plan
    .map((line) =>
      /(Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan)(?: Backward)? (?:using|on) (\S+)/.exec(line),
    )
    .filter(Boolean)
    .map((match) => `${match![1]} ${match![2]}`);
  const time = plan.find((line) => line.startsWith('Execution Time')) ?? '';
  console.log(
    `  ${label.padEnd(46)} ${time.replace('Execution Time: ', '').padStart(10)}  ${[...new Set(scans)].join(', ')}`,
  );
}
