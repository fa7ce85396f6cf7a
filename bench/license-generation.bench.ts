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
 * Needs PostgreSQL on 127.0.0.1:5432 (user postgres, or BENCH_DATABASE_SERVER_URL); creates its own databases and
 * drops them at the end. The service generates in a process of its own, on a database of its own, from its sources
 * under ts-node (its HTTP server does not listen: the bench sets it up through Fastify's inject); the bare script runs
 * in this process, on the database of the service instance this process holds for the byte-identity check.
 *
 *   … --against <commit>   also the service at that commit (dependencies only added since), in a process and on a
 *                          database of its own, as a third target of the rounds: goal adds no fall (≥ 1× its rate).
 * Goal (median of the rounds' ratios): Ed25519 generation ≥ 0.5× the bare script; RSA-2048 is information.
 */
import type { ChildProcess } from 'node:child_process';
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
import { licenseInsertStatement } from '../src/modules/licenses/license-insert-batcher';
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
import {
  REPOSITORY,
  SERVER_URL,
  againstRef,
  argument,
  benchDatabases,
  createBenchDatabase,
  databaseUrl,
  forkRole,
  listening,
  serviceAtRef,
  stopServer,
} from './support';

const GOAL = { Ed25519: 0.5 };
/** With --against: this checkout's generation is at least as fast as the start commit's (median of the rounds). */
const NO_FALL = 1;
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

/** POST through Fastify's inject (no socket): what the bench sets up through the API. */
function injector(http: {
  inject: (options: object) => Promise<{ statusCode: number; body: string; json: () => unknown }>;
}) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return async (url: string, payload: object, token?: string): Promise<any> => {
    const response = await http.inject({
      method: 'POST',
      url,
      payload,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    if (response.statusCode !== 200) throw new Error(`POST ${url}: ${response.statusCode} ${response.body}`);
    return response.json();
  };
}

type Call = ReturnType<typeof injector>;

/** Signs in and makes the customer every license is for. */
async function signInWithCustomer(call: Call): Promise<{ token: string; customerId: number }> {
  const { token } = await call('/v1/auth/login', { userName: 'admin', password: 'bench-admin-password' });
  const { customerId } = await call(
    '/v1/customers',
    { customer: { firstName: 'Bench', lastName: 'Customer', company: 'Bench Corp', email: 'bench@example.com' } },
    token,
  );
  return { token, customerId };
}

/** A signature key of `algorithm`, a product and a template on it, and what each license asks for on top. */
async function prepareGeneration(
  call: Call,
  token: string,
  algorithm: 'RSA' | 'Ed25519',
  customerId: number,
): Promise<{ resourceId: number; templateId: number; request: () => LicenseRequest }> {
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
  return { resourceId, templateId, request };
}

/**
 * `lanes` callers for `seconds`, each awaiting `step` before the next; a step makes the licenses it returns the number
 * of, each of them counted with the step's latency.
 */
async function timedLanes(lanes: number, seconds: number, step: () => Promise<number>): Promise<Generation> {
  const latencies: number[] = [];
  const deadline = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (Date.now() < deadline) {
        const begin = process.hrtime.bigint();
        const made = await step();
        const took = Number(process.hrtime.bigint() - begin) / 1e6;
        for (let i = 0; i < made; i++) latencies.push(took);
      }
    }),
  );
  return summary(latencies, latencies.length, started, cpuBefore);
}

/** `concurrency` callers of the service's insert, each awaiting its license before asking for the next. */
function generate(
  insert: (request: LicenseRequest) => Promise<unknown>,
  request: () => LicenseRequest,
  seconds: number,
  concurrency: number,
): Promise<Generation> {
  return timedLanes(concurrency, seconds, async () => {
    await insert(request());
    return 1;
  });
}

/**
 * A generating service's own process: the service of the tree at BENCH_SERVICE_ROOT (this checkout, or the start
 * commit's with --against), from its sources, on a database of its own, set up through its API and generating on the
 * bench's messages. Each service alone in its process, so that neither shares a heap, an event loop or a table with
 * the bare script or the other.
 */
async function serveGenerator(): Promise<void> {
  const root = process.env.BENCH_SERVICE_ROOT!;
  /* eslint-disable @typescript-eslint/no-require-imports -- the tree's modules, found at run time */
  const { createApp: createAppOfRoot } = require(join(root, 'src', 'bootstrap')) as typeof import('../src/bootstrap');
  const { LicensesService: LicensesServiceOfRoot } = require(
    join(root, 'src', 'modules', 'licenses', 'licenses.service'),
  ) as typeof import('../src/modules/licenses/licenses.service');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const app = await createAppOfRoot({ logger: ['error', 'fatal'] });
  await app.init();
  const http = app.getHttpAdapter().getInstance();
  await http.ready();
  const call = injector(http);
  const { token, customerId } = await signInWithCustomer(call);
  const licenses = app.get(LicensesServiceOfRoot);
  let request: (() => LicenseRequest) | undefined;
  process.on(
    'message',
    (message: { type: string; algorithm?: 'RSA' | 'Ed25519'; seconds?: number; concurrency?: number }) => {
      void (async () => {
        if (message.type === 'prepare') {
          request = (await prepareGeneration(call, token, message.algorithm!, customerId)).request;
          process.send!({ type: 'prepared' });
        } else if (message.type === 'run') {
          const result = await generate(
            // Typed as this checkout's insert: the start commit's took the same LicenseDto.
            (input) => licenses.insert(input),
            request!,
            message.seconds!,
            message.concurrency!,
          );
          process.send!({ type: 'generation', result });
        } else if (message.type === 'stop') {
          await app.close();
          process.exit(0);
        }
      })();
    },
  );
  process.send!({ type: 'listening', port: 0 });
}

/** Sends a message to a child and waits for its answer of type `answer`. */
function ask<T>(child: ChildProcess, message: object, answer: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the child exited with ${code}`));
    const listener = (reply: { type: string }) => {
      if (reply.type !== answer) return;
      child.off('message', listener);
      child.off('exit', onExit);
      resolve(reply as T);
    };
    child.on('message', listener);
    child.once('exit', onExit);
    child.send(message);
  });
}

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
  const ref = againstRef();
  const atRef = ref ? serviceAtRef(ref, 'sources') : undefined;
  const startLabel = atRef ? `start ${atRef.commit}` : undefined;
  const labels = ['service', 'bare', ...(startLabel ? [startLabel] : [])];
  const generators = new Map<string, ChildProcess>();
  const startGenerator = async (target: string, root: string) => {
    const database = await createBenchDatabase(admin);
    const { child } = await listening(
      forkRole(__filename, 'generator', {
        ...process.env,
        DATABASE_URL: databaseUrl(database),
        DATA_DIR: join(dataDir, database),
        BENCH_SERVICE_ROOT: root,
      }),
      target,
    );
    generators.set(target, child);
    console.log(`${target}: ${root}, from its sources under ts-node, in its own process, database ${database}`);
  };
  try {
    await startGenerator('service', REPOSITORY);
    if (atRef) await startGenerator(startLabel!, atRef.root);
    await app.init();
    const http = app.getHttpAdapter().getInstance();
    await http.ready();
    const call = injector(http);
    const { token, customerId } = await signInWithCustomer(call);
    const licenses = app.get(LicensesService);
    const signingKeys = app.get(SigningKeysService);
    const settings = app.get(SettingsService);
    const licenseIdFormat = await settings.get<string>('Licensing.LicenseIdFormat');
    const userKeyFormat = await settings.get<string>('Licensing.UserKeyFormat');

    console.log(
      `license generation, ${concurrency} in flight, database pool ${POOL_SIZE} each: LicensesService.insert against a bare pg script; ${describePlan(plan, labels, true)}`,
    );
    const rows: string[] = [];
    let met = true;
    for (const algorithm of ['RSA', 'Ed25519'] as const) {
      const label = algorithm === 'RSA' ? 'RSA-2048' : algorithm;
      const { resourceId, templateId, request } = await prepareGeneration(call, token, algorithm, customerId);
      for (const child of generators.values()) await ask(child, { type: 'prepare', algorithm }, 'prepared');
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

      const generatedBy = async (target: string, seconds: number) =>
        (
          await ask<{ result: Generation }>(
            generators.get(target)!,
            { type: 'run', seconds, concurrency },
            'generation',
          )
        ).result;
      const lanes = Math.max(1, Math.min(2, concurrency));
      const batch = Math.max(1, Math.floor(concurrency / lanes));
      const bare = (seconds: number) =>
        timedLanes(lanes, seconds, async () => {
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
          await pool.query(licenseInsertStatement(parameters));
          return batch;
        });
      const run = (target: string, seconds: number) =>
        target === 'bare' ? bare(seconds) : generatedBy(target, seconds);
      await warmUp(plan, labels, run); // caches, JIT, connections
      const rounds = await alternate(
        plan,
        labels,
        run,
        (round, index) => console.log(`  ${label} round ${index + 1}: ${roundSummary(round, '/s')}`),
        combineGenerations,
      );
      const ratio = ratios(rounds, (result) => result.perSecond, 'service', 'bare');
      const goal = algorithm === 'Ed25519' ? GOAL.Ed25519 : undefined;
      let ok = goal === undefined || ratio.median >= goal;
      for (const target of labels) {
        const figure = (pick: (result: Generation) => number) =>
          spread(rounds.map((round) => pick(round.results[target]))).median;
        rows.push(
          `  ${label.padEnd(9)} ${target.padEnd(startLabel ? 15 : 8)} ${figure((r) => r.perSecond)
            .toFixed(0)
            .padStart(6)} licenses/s   p50 ${figure((r) => r.p50).toFixed(1)} ms   ` +
            `p95 ${figure((r) => r.p95).toFixed(1)} ms   ${figure((r) => r.cpuMs).toFixed(2)} ms CPU each (this process)`,
        );
      }
      rows.push(
        `  ${label.padEnd(9)} service/bare ${spreadText(ratio)}   (signing alone: ${signatures}/s)` +
          `${goal === undefined ? '' : `   goal ≥ ${goal}×: ${ok ? 'met' : 'MISSED'}`}`,
      );
      if (startLabel) {
        const sinceStart = ratios(rounds, (result) => result.perSecond, 'service', startLabel);
        const fell = !(sinceStart.median >= NO_FALL);
        ok &&= !fell;
        rows.push(
          `  ${label.padEnd(9)} ${startLabel}/bare ${spreadText(ratios(rounds, (result) => result.perSecond, startLabel, 'bare'))}; ` +
            `service/${startLabel} ${spreadText(sinceStart)}   ${fell ? 'FELL' : 'no fall'}`,
        );
      }
      met &&= ok;
      for (const line of loadLines(rounds)) rows.push(`  ${label.padEnd(9)} ${line}`);
    }
    console.log(`\n${rows.join('\n')}`);
    const [{ count }] = await app.get(DataSource).query('SELECT count(*)::int AS count FROM licenses');
    console.log(
      `  ${count} licenses stored by the bare script (and the one it re-made)\n\ngoal: Ed25519 ≥ ${GOAL.Ed25519}× the bare script${startLabel ? `, each ≥ ${NO_FALL}× the ${startLabel}'s` : ''}: ${met ? 'met' : 'MISSED'}`,
    );
    exitWithGoal(met);
  } finally {
    for (const child of generators.values()) await stopServer(child);
    await pool.end();
    await app.close();
    for (const database of benchDatabases) await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
    atRef?.remove();
    console.log(`dropped ${[...benchDatabases].join(', ')}`);
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

(process.argv[2] === 'generator' ? serveGenerator() : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});
