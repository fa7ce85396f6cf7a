/**
 * Licenses generated per second end to end through the service layer (LicensesService.insert: template,
 * product and customer lookups, key load, user key and license id generation, signing, insert), with
 * RSA-2048 and with Ed25519 signature keys.
 *
 *   npx ts-node --transpile-only bench/license-generation.bench.ts [--seconds 10] [--concurrency 32]
 *
 * Needs PostgreSQL on 127.0.0.1:5432 (user postgres, or BENCH_DATABASE_SERVER_URL); creates its own
 * database and drops it at the end. Goals on one instance: ≥ 300/s with RSA-2048, ≥ 1,500/s with Ed25519.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap';
import { LicensesService } from '../src/modules/licenses/licenses.service';
import { SigningKeysService } from '../src/modules/resources/signing-keys.service';
import { LicenseFormat, signLicense } from '../src/modules/signing';
import { SERVER_URL, argument, databaseUrl } from './support';

const GOALS = { RSA: 300, Ed25519: 1500 } as const;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const seconds = argument('seconds', 10);
  const concurrency = argument('concurrency', 32);
  const name = `licensing_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'licensing-bench-'));
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  Object.assign(process.env, {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl(name),
    DATA_DIR: dataDir,
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: 'bench-admin-password',
    LOG_LEVEL: 'error',
    SWAGGER_ENABLED: 'false',
  });
  const app = await createApp({ logger: ['error', 'fatal'] });
  try {
    await app.init();
    const http = app.getHttpAdapter().getInstance();
    await http.ready();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const call = async (url: string, payload: object, token?: string): Promise<any> => {
      const response = await http.inject({
        method: 'POST',
        url,
        payload,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      if (response.statusCode !== 200) throw new Error(`POST ${url}: ${response.statusCode} ${response.body}`);
      return response.json();
    };
    const { token } = await call('/v1/auth/login', { userName: 'admin', password: 'bench-admin-password' });
    const { customerId } = await call(
      '/v1/customers',
      { customer: { firstName: 'Bench', lastName: 'Customer', company: 'Bench Corp', email: 'bench@example.com' } },
      token,
    );
    const licenses = app.get(LicensesService);
    const signingKeys = app.get(SigningKeysService);

    console.log(
      `license generation through LicensesService.insert, ${concurrency} in flight, ${seconds} s per algorithm (database pool ${process.env.DATABASE_POOL_SIZE ?? 10})`,
    );
    for (const algorithm of ['RSA', 'Ed25519'] as const) {
      const { resourceId } = await call(
        '/v1/resources',
        { resource: { name: `bench ${algorithm}`, type: algorithm } },
        token,
      );
      const { productId } = await call(
        '/v1/products',
        { product: { name: `Bench product ${algorithm}`, signatureKeysId: resourceId } },
        token,
      );
      const { templateId } = await call(
        '/v1/license-templates',
        {
          licenseTemplate: {
            name: `Bench ${algorithm}`,
            productId,
            format: LicenseFormat.XmlDsig,
            licensingMode: 1,
            expireDays: 365,
            supportDays: 90,
            features: [
              { id: 'f1', name: 'Reports' },
              { id: 'f2', name: 'Export' },
            ],
            fields: [{ name: 'Edition', value: 'Pro' }],
          },
        },
        token,
      );
      const request = () => ({
        templateId,
        customerId,
        maxAllowedSites: 3,
        features: [{ id: 'f2', name: 'Export', data: 'csv' }],
      });

      // The signature alone, for reference: the ceiling the service could reach on one core.
      const key = await signingKeys.loadSigningKey(resourceId);
      const document = {
        licenseId: 'lic00000000',
        userKey: 'AAAAA-BBBBB-CCCCC-DDDDD',
        licensingMode: 1,
        licensee: { name: 'Bench Customer' },
        features: [{ name: 'Reports' }],
      };
      let signatures = 0;
      const signStart = process.hrtime.bigint();
      while (process.hrtime.bigint() - signStart < 1_000_000_000n) {
        signLicense(document, LicenseFormat.XmlDsig, key, { includePublicKey: false });
        signatures++;
      }

      for (let i = 0; i < 50; i++) await licenses.insert(request()); // warm-up: caches, JIT, connections
      const latencies: number[] = [];
      const deadline = Date.now() + seconds * 1000;
      const started = process.hrtime.bigint();
      const cpuBefore = process.cpuUsage();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (Date.now() < deadline) {
            const begin = process.hrtime.bigint();
            await licenses.insert(request());
            latencies.push(Number(process.hrtime.bigint() - begin) / 1e6);
          }
        }),
      );
      const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
      const cpu = process.cpuUsage(cpuBefore);
      latencies.sort((a, b) => a - b);
      const rate = latencies.length / elapsed;
      const label = algorithm === 'RSA' ? 'RSA-2048' : algorithm;
      console.log(
        `  ${label.padEnd(9)} ${rate.toFixed(0).padStart(6)} licenses/s   p50 ${percentile(latencies, 50).toFixed(1)} ms   p95 ${percentile(latencies, 95).toFixed(1)} ms   ` +
          `${((cpu.user + cpu.system) / 1000 / latencies.length).toFixed(2)} ms CPU each   (signing alone: ${signatures}/s)   goal ≥ ${GOALS[algorithm]}/s: ${rate >= GOALS[algorithm] ? 'met' : 'MISSED'}`,
      );
    }
    const [{ count }] = await app.get(DataSource).query('SELECT count(*)::int AS count FROM licenses');
    console.log(`  ${count} licenses stored`);
  } finally {
    await app.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
    console.log(`dropped ${name}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
