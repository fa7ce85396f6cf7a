/**
 * Licenses generated per second through the service layer (LicensesService.insert: template, product and customer
 * lookup, key load, user key and license id generation, signing, the batched insert with its audit event), against a
 * bare script doing the same work with `pg` alone: the service's lookup and INSERT statements, prepared, and the same
 * signature, for RSA-2048 and Ed25519 signature keys, in alternating rounds (bench/rounds.ts).
 *
 * The bare script is what generation costs when only the database bounds it: it runs one lookup per burst and one
 * INSERT per batch (two batches of `concurrency / 2` licenses in flight, as the service's batcher keeps two
 * statements running), and it builds each license from the lookup with the service's own pure functions (parts
 * merge, document, signature). Before the rounds it re-signs a license the service made, with its ids and issue
 * date, and the run stops unless both license keys are byte-identical.
 *
 *   npx ts-node --transpile-only bench/license-generation.bench.ts [--quick] [--seconds 10] [--rounds 5] [--concurrency 32]
 *
 * Needs PostgreSQL on 127.0.0.1:5432 (user postgres, or BENCH_DATABASE_SERVER_URL); creates its own database and
 * drops it at the end. Both run in this process (the service's HTTP server does not listen), one after the other.
 * Goal (median of the rounds' ratios): Ed25519 generation ≥ 0.5× the bare script; RSA-2048 is information.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap';
import { generateKey } from '../src/common/key-format';
import { mergeParts, normalizeParts, productPartOf } from '../src/modules/license-templates/license-parts';
import { templateParts } from '../src/modules/license-templates/license-templates.service';
import type { NewLicenseReferences } from '../src/modules/license-templates/licensing-references';
import { NEW_LICENSE_REFERENCES_SQL } from '../src/modules/license-templates/licensing-references.repository';
import { LICENSE_INSERT_SQL, licenseInsertParameters } from '../src/modules/licenses/license-insert-batcher';
import { licenseDocumentOf } from '../src/modules/licenses/licenses.mapper';
import { NewLicenseRow, licenseRowParameters } from '../src/modules/licenses/licenses.repository';
import { LicensesService } from '../src/modules/licenses/licenses.service';
import { SigningKeysService } from '../src/modules/resources/signing-keys.service';
import { SettingsService } from '../src/modules/settings/settings.service';
import { LicenseFormat, SigningKey, signLicense } from '../src/modules/signing';
import { percentile } from './http-load';
import {
  alternate,
  assertSameBytes,
  describePlan,
  ratios,
  roundSummary,
  loadLines,
  roundPlan,
  warmUp,
  spread,
  spreadText,
  exitWithGoal,
} from './rounds';
import { SERVER_URL, createBenchDatabase, argument, databaseUrl } from './support';

const GOAL = { Ed25519: 0.5 };
const POOL_SIZE = 10;
const DAY_MS = 24 * 60 * 60 * 1000;

interface Generation {
  perSecond: number;
  p50: number;
  p95: number;
  /** CPU of this process per license, ms (the database's CPU is not in it). */
  cpuMs: number;
  /** What combining slices needs: licenses made, seconds taken, every license's latency (ms, sorted). */
  count: number;
  seconds: number;
  latencies: number[];
}

/** What each license of the bench asks for, on top of its template. */
interface LicenseRequest {
  templateId: number;
  customerId: number;
  maxAllowedSites: number;
  features: Array<{ id: string; name: string; data: string }>;
}

/**
 * The bare script's license: the columns LicensesService.compose gives a license made from a template for a
 * customer, for the requests this bench sends (no order, no own product, no dates, no licensee of its own).
 */
function bareLicense(
  references: NewLicenseReferences,
  request: LicenseRequest,
  key: SigningKey,
  ids: { licenseId: string; userKey: string; issueDate: Date },
): NewLicenseRow {
  const { template, customer, product } = references;
  const parts = mergeParts(templateParts(template!), normalizeParts(request, 'license'));
  if (product) parts.product = { ...productPartOf(product), ...(parts.product ?? {}) };
  const from = ids.issueDate.getTime();
  const afterDays = (days: number | null | undefined) => (days ? new Date(from + days * DAY_MS) : null);
  const name = [customer!.firstName, customer!.lastName].filter(Boolean).join(' ').trim();
  const license = {
    licenseId: ids.licenseId,
    userKey: ids.userKey,
    licenseType: template!.licenseType ?? null,
    format: template!.format,
    description: null,
    issueDate: ids.issueDate,
    expireDate: afterDays(template!.expireDays),
    supportExpireDate: afterDays(template!.supportDays),
    revoked: false,
    trace: false,
    maxAllowedSites: request.maxAllowedSites,
    licensingMode: template!.licensingMode,
    licenseeName: name || customer!.company,
    licenseeCompany: customer!.company,
    licenseeEmail: customer!.email,
    meta: null,
    generateKeyInfo: template!.generateKeyInfo ?? false,
    templateId: template!.id,
    customerId: customer!.id,
    orderId: null,
    productId: product?.id ?? null,
    signatureKeysId: template!.signatureKeysId ?? product!.signatureKeysId!,
    licensee: null,
    ...parts,
  };
  const signed = signLicense(licenseDocumentOf(license), license.format, key, {
    includePublicKey: license.generateKeyInfo,
  });
  return { ...license, licenseKey: signed.licenseKey, hash: signed.hash, signingKeyId: signed.keyId };
}

const wholeSecondsNow = () => new Date(Math.floor(Date.now() / 1000) * 1000);

async function main(): Promise<void> {
  const plan = roundPlan({ rounds: 5 });
  const concurrency = argument('concurrency', 32);
  const dataDir = mkdtempSync(join(tmpdir(), 'licensing-bench-'));
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  const name = await createBenchDatabase(admin);
  Object.assign(process.env, {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl(name),
    DATABASE_POOL_SIZE: String(POOL_SIZE),
    DATA_DIR: dataDir,
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: 'bench-admin-password',
    LOG_LEVEL: 'error',
    SWAGGER_ENABLED: 'false',
  });
  const app = await createApp({ logger: ['error', 'fatal'] });
  const pool = new Pool({ connectionString: databaseUrl(name), max: POOL_SIZE, idleTimeoutMillis: 0 });
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
    const settings = app.get(SettingsService);
    const licenseIdFormat = await settings.get<string>('Licensing.LicenseIdFormat');
    const userKeyFormat = await settings.get<string>('Licensing.UserKeyFormat');

    console.log(
      `license generation, ${concurrency} in flight, database pool ${POOL_SIZE} each: LicensesService.insert against a bare pg script; ${describePlan(plan, ['service', 'bare'], true)}`,
    );
    const rows: string[] = [];
    let met = true;
    for (const algorithm of ['RSA', 'Ed25519'] as const) {
      const label = algorithm === 'RSA' ? 'RSA-2048' : algorithm;
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
      const request = (): LicenseRequest => ({
        templateId,
        customerId,
        maxAllowedSites: 3,
        features: [{ id: 'f2', name: 'Export', data: 'csv' }],
      });
      const key = await signingKeys.loadSigningKey(resourceId);
      const lookup = async () =>
        (
          await pool.query<NewLicenseReferences>({
            name: 'bench_new_license_references',
            text: NEW_LICENSE_REFERENCES_SQL,
            values: [templateId, null, customerId, null, null],
          })
        ).rows[0];

      // The signature alone, for reference: the ceiling either could reach on one core.
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

      // The bare script must sign the same document: a license the service made, re-made with its ids and date.
      const made = await licenses.insert(request());
      const [stored] = await app
        .get(DataSource)
        .query(`SELECT license_id, user_key, issue_date, license_key, hash FROM licenses WHERE id = $1`, [
          made.licenseId,
        ]);
      const again = bareLicense(await lookup(), request(), key, {
        licenseId: stored.license_id,
        userKey: stored.user_key,
        issueDate: stored.issue_date,
      });
      assertSameBytes(`${label} license key`, stored.license_key, again.licenseKey);
      if (stored.hash !== again.hash) throw new Error(`${label}: the bare license's hash differs from the service's`);

      const service = async (seconds: number): Promise<Generation> => {
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
        return summary(latencies, latencies.length, started, cpuBefore);
      };
      const lanes = Math.max(1, Math.min(2, concurrency));
      const batch = Math.max(1, Math.floor(concurrency / lanes));
      const bare = async (seconds: number): Promise<Generation> => {
        const latencies: number[] = [];
        const deadline = Date.now() + seconds * 1000;
        const started = process.hrtime.bigint();
        const cpuBefore = process.cpuUsage();
        await Promise.all(
          Array.from({ length: lanes }, async () => {
            while (Date.now() < deadline) {
              const begin = process.hrtime.bigint();
              const references = await lookup();
              const issueDate = wholeSecondsNow();
              const parameters = Array.from({ length: batch }, () =>
                licenseRowParameters(
                  bareLicense(references, request(), key, {
                    licenseId: generateKey(licenseIdFormat),
                    userKey: generateKey(references.template!.userKey ?? userKeyFormat),
                    issueDate,
                  }),
                ),
              );
              await pool.query({
                name: 'bench_insert_licenses',
                text: LICENSE_INSERT_SQL,
                values: licenseInsertParameters(parameters),
              });
              const took = Number(process.hrtime.bigint() - begin) / 1e6;
              for (let i = 0; i < batch; i++) latencies.push(took);
            }
          }),
        );
        return summary(latencies, latencies.length, started, cpuBefore);
      };
      const run = (target: string, seconds: number) => (target === 'service' ? service(seconds) : bare(seconds));
      await warmUp(plan, ['service', 'bare'], run); // caches, JIT, connections
      const rounds = await alternate(
        plan,
        ['service', 'bare'],
        run,
        (round, index) => console.log(`  ${label} round ${index + 1}: ${roundSummary(round, '/s')}`),
        combineGenerations,
      );
      const ratio = ratios(rounds, (result) => result.perSecond, 'service', 'bare');
      const goal = algorithm === 'Ed25519' ? GOAL.Ed25519 : undefined;
      const ok = goal === undefined || ratio.median >= goal;
      met &&= ok;
      for (const target of ['service', 'bare']) {
        const figure = (pick: (result: Generation) => number) =>
          spread(rounds.map((round) => pick(round.results[target]))).median;
        rows.push(
          `  ${label.padEnd(9)} ${target.padEnd(8)} ${figure((r) => r.perSecond)
            .toFixed(0)
            .padStart(6)} licenses/s   p50 ${figure((r) => r.p50).toFixed(1)} ms   ` +
            `p95 ${figure((r) => r.p95).toFixed(1)} ms   ${figure((r) => r.cpuMs).toFixed(2)} ms CPU each (this process)`,
        );
      }
      rows.push(
        `  ${label.padEnd(9)} service/bare ${spreadText(ratio)}   (signing alone: ${signatures}/s)` +
          `${goal === undefined ? '' : `   goal ≥ ${goal}×: ${ok ? 'met' : 'MISSED'}`}`,
      );
      for (const line of loadLines(rounds)) rows.push(`  ${label.padEnd(9)} ${line}`);
    }
    console.log(`\n${rows.join('\n')}`);
    const [{ count }] = await app.get(DataSource).query('SELECT count(*)::int AS count FROM licenses');
    console.log(
      `  ${count} licenses stored\n\ngoal: Ed25519 ≥ ${GOAL.Ed25519}× the bare script: ${met ? 'met' : 'MISSED'}`,
    );
    exitWithGoal(met);
  } finally {
    await pool.end();
    await app.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
    console.log(`dropped ${name}`);
  }
}

function summary(latencies: number[], count: number, started: bigint, cpuBefore: NodeJS.CpuUsage): Generation {
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  return {
    perSecond: count / elapsed,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    cpuMs: (cpu.user + cpu.system) / 1000 / count,
    count,
    seconds: elapsed,
    latencies,
  };
}

/** The slices of one turn as one: licenses over their time, percentiles of all, CPU per license. */
function combineGenerations(parts: Generation[]): Generation {
  const count = parts.reduce((sum, part) => sum + part.count, 0);
  const seconds = parts.reduce((sum, part) => sum + part.seconds, 0);
  const latencies = parts.flatMap((part) => part.latencies).sort((a, b) => a - b);
  return {
    perSecond: count / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    cpuMs: parts.reduce((sum, part) => sum + part.cpuMs * part.count, 0) / count,
    count,
    seconds,
    latencies,
  };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
