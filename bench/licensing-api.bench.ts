/**
 * The client Licensing API's two hot paths, POST /v1/license/validate and POST /v1/license/heartbeat:
 * the real service listening on loopback against a bare node:http + pg server running the same
 * statements (imported from the service, prepared the same way) and answering the same bytes (checked before the
 * rounds), both measured with autocannon at 32 connections in alternating rounds of 10 s (bench/rounds.ts). It prints
 * per round the ratio and the load average, then the median ratio of throughput, p99 and server CPU per request with
 * their range, and the CPU each request cost the server process, PostgreSQL and the load generator, which on a small
 * machine share the cores.
 *
 *   npx ts-node --transpile-only bench/licensing-api.bench.ts [--quick] [--seconds 10] [--rounds 5] [--connections 32]
 *       [--only validate|heartbeat] [--unprepared] [--log-minimum-level Warning] [--ts-node] [--profile <dir>]
 *
 * Needs PostgreSQL on 127.0.0.1:5432 (user postgres, or BENCH_DATABASE_SERVER_URL). Creates its own
 * database (migrations run by the service at start), seeds a floating license with 256 held seats
 * through the API, raises the rate limits through PUT /v1/settings so they do not distort the
 * figures, and drops the database at the end. The service and the bare server run in child
 * processes of their own, so neither shares an event loop with the load generator.
 * The service runs with its default request log setting. Goal (medians of the rounds' ratios): service ≥ 0.8× the
 * bare throughput and p99 ≤ 1.5× the bare's at 32 connections, no errors; absolute figures are information only.
 */
import { ChildProcess, execFileSync, fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { createApp } from '../src/bootstrap';
import { HEARTBEAT } from '../src/modules/licensing-api/client-tokens.repository';
import { VALIDATE_BY_TOKEN } from '../src/modules/licensing-api/client-licenses.repository';
import { combineLoads, hammer, loadRow } from './http-load';
import {
  alternate,
  assertSameBytes,
  describePlan,
  maskTimestamps,
  ratios,
  roundSummary,
  loadLines,
  roundPlan,
  warmUp,
  spreadText,
  exitWithGoal,
} from './rounds';
import {
  SERVER_URL,
  createBenchDatabase,
  argument,
  forkRole,
  listening,
  serviceEnvironment,
  stopServer,
} from './support';

const POOL_SIZE = 10;
const SEATS = 256;
const LIFETIME_SECONDS = 600;
const GOAL = { ratio: 0.8, p99Ratio: 1.5 };

// ---------------------------------------------------------------------------------------------------
// Child process roles

/** The real application, as main.ts serves it. */
async function serveApp(): Promise<void> {
  const app = await createApp({ logger: ['error', 'fatal'] });
  await app.listen(0, '127.0.0.1');
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stop') void app.close().then(() => process.exit(0));
  });
  process.send!({ type: 'listening', port: (app.getHttpServer().address() as AddressInfo).port });
}

/**
 * node:http + pg running the service's statements: validate reads the license, token and node-locked
 * license in one query and checks the stored hash; heartbeat is the one UPDATE. No framework, no
 * validation, no rate limit, no request log.
 */
async function serveBare(): Promise<void> {
  // Connections stay open between measurements, so that the CPU of their backends can be followed.
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: POOL_SIZE, idleTimeoutMillis: 0 });
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      // Every failure is answered inside; nothing is left for the rejection.
      void (async () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { userKey?: string; licenseToken: string };
          let answer: Record<string, unknown>;
          // /plain/… runs the same SQL unprepared (parsed and planned on every call), as a naive script would; so does
          // everything with DATABASE_NAMED_STATEMENTS=false, as the service then does (behind PgBouncer < 1.21).
          const plain = request.url!.startsWith('/plain/') || process.env.DATABASE_NAMED_STATEMENTS === 'false';
          const run = (statement: { name: string; text: string }, values: unknown[]) =>
            plain ? pool.query(statement.text, values) : pool.query({ ...statement, values });
          if (request.url!.endsWith('/v1/license/validate')) {
            const { rows } = await run(VALIDATE_BY_TOKEN, [body.userKey, body.licenseToken]);
            const row = rows[0];
            const intact = createHash('sha256').update(row.licenseKey).digest('hex') === row.hash;
            answer = {
              success: true,
              code: 0,
              message: 'OK',
              valid: intact && row.tokenLive && !row.revoked && !row.expired,
              reason: null,
              licenseToken: row.token,
              tokenExpireAt: row.tokenExpireDate?.toISOString() ?? null,
              license: {
                licenseId: row.licenseId,
                licensingMode: row.licensingMode,
                expireAt: null,
                supportExpireAt: null,
                licenseKey: row.licenseKey,
              },
            };
          } else {
            const { rows } = await run(HEARTBEAT, [body.licenseToken, LIFETIME_SECONDS, null]);
            answer = {
              success: true,
              code: 0,
              message: 'OK',
              licenseToken: body.licenseToken,
              tokenExpireAt: rows[0].expireDate.toISOString(),
              heartbeatIntervalSeconds: 300,
            };
          }
          response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(answer));
        } catch (error) {
          response.writeHead(500).end(String(error));
        }
      })();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () =>
    process.send!({ type: 'listening', port: (server.address() as AddressInfo).port }),
  );
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stop') server.close(() => void pool.end().then(() => process.exit(0)));
  });
}

// ---------------------------------------------------------------------------------------------------
// Orchestration

/** `--log-minimum-level Warning` leaves the per-request Information entries out of the database log (default: as configured, Information). */
const LOG_MINIMUM_LEVEL = process.argv.includes('--log-minimum-level')
  ? process.argv[process.argv.indexOf('--log-minimum-level') + 1]
  : undefined;

/** `--profile <dir>` writes a V8 CPU profile of the service (open it in Chrome DevTools) to find hot spots. */
const PROFILE_DIR = process.argv.includes('--profile')
  ? process.argv[process.argv.indexOf('--profile') + 1]
  : undefined;

/** `--unprepared` adds a third target: the bare server running the same SQL unprepared, as a naive script would. */
const UNPREPARED = process.argv.includes('--unprepared');

/**
 * The service runs as it does in production, compiled (`scripts/build.mjs`, SWC, into a temporary
 * folder) and started by plain node; `--ts-node` runs it from the sources instead.
 */
const FROM_SOURCES = process.argv.includes('--ts-node');

function buildService(folder: string): string {
  execFileSync(process.execPath, [join(__dirname, '..', 'scripts', 'build.mjs'), '--out-dir', folder], {
    stdio: 'inherit',
  });
  const entry = join(folder, 'serve-app.js');
  writeFileSync(
    entry,
    `const { createApp } = require(${JSON.stringify(join(folder, 'src', 'bootstrap.js'))});
(async () => {
  const app = await createApp({ logger: ['error', 'fatal'] });
  await app.listen(0, '127.0.0.1');
  process.on('message', (message) => { if (message.type === 'stop') void app.close().then(() => process.exit(0)); });
  process.send({ type: 'listening', port: app.getHttpServer().address().port });
})();
`,
  );
  return entry;
}

function start(
  role: 'app' | 'bare',
  env: NodeJS.ProcessEnv,
  compiledApp?: string,
): Promise<{ child: ChildProcess; port: number }> {
  const profile = role === 'app' && PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const child =
    role === 'app' && compiledApp
      ? // Built outside the repository: node_modules is found through NODE_PATH.
        fork(compiledApp, [], { env: { ...env, NODE_PATH: join(__dirname, '..', 'node_modules') }, execArgv: profile })
      : forkRole(__filename, role, env, profile);
  return listening(child, role);
}

const stop = (child: ChildProcess) => stopServer(child);

async function main(): Promise<void> {
  const plan = roundPlan({ rounds: 5 });
  const connections = argument('connections', 32);
  const dataDir = mkdtempSync(join(tmpdir(), 'licensing-bench-'));
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  const name = await createBenchDatabase(admin);
  const [{ server_version: version }] = (await admin.query('SHOW server_version')).rows;
  console.log(
    `database ${name} (PostgreSQL ${version}), ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`,
  );
  const env = serviceEnvironment(name, dataDir, POOL_SIZE);
  const children: ChildProcess[] = [];
  const buildFolder = FROM_SOURCES ? undefined : mkdtempSync(join(tmpdir(), 'licensing-bench-build-'));
  try {
    if (buildFolder) console.log('building the service (scripts/build.mjs) …');
    const app = await start('app', env, buildFolder ? buildService(buildFolder) : undefined);
    console.log(
      `service: ${buildFolder ? 'compiled, plain node' : 'from the sources under ts-node'}, pool ${POOL_SIZE} connections; bare server: node:http + pg, pool ${POOL_SIZE}`,
    );
    children.push(app.child);
    const base = `http://127.0.0.1:${app.port}`;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const call = async (path: string, body: object, token?: string, method = 'POST'): Promise<any> => {
      const response = await fetch(base + path, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      const json = await response.json();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    };
    const { token } = await call('/v1/auth/login', { userName: 'admin', password: env.ADMIN_PASSWORD });
    await call(
      '/v1/settings',
      {
        settings: [
          { group: 'Licensing', name: 'RateLimitPerMinute', value: 10_000_000 },
          { group: 'Licensing', name: 'UserKeyRateLimitPerMinute', value: 10_000_000 },
          ...(LOG_MINIMUM_LEVEL ? [{ group: 'Application', name: 'LogMinimumLevel', value: LOG_MINIMUM_LEVEL }] : []),
        ],
      },
      token,
      'PUT',
    );
    const { resourceId } = await call('/v1/resources', { resource: { name: 'bench key', type: 'Ed25519' } }, token);
    const license = await call(
      '/v1/licenses',
      {
        license: {
          signatureKeysId: resourceId,
          licensingMode: 2,
          maxAllowedSites: SEATS,
          licenseeName: 'Bench Licensee',
          product: { name: 'Suite', version: '1.0' },
          features: [{ name: 'Reports' }],
        },
      },
      token,
    );
    const seats: string[] = [];
    for (let i = 0; i < SEATS; i++)
      seats.push(
        (await call('/v1/license/floating/request', { userKey: license.userKey, clientId: `bench-client-${i}` }))
          .licenseToken,
      );
    console.log(
      `seeded floating license ${license.licenseKeyId} (license key ${license.licenseKey.length} bytes) with ${seats.length} seats held; rate limits raised to 10,000,000/min`,
    );

    const bare = await start('bare', env);
    children.push(bare.child);
    const seat = () => seats[Math.floor(Math.random() * seats.length)];
    const scenarios = [
      {
        label: 'validate',
        path: '/v1/license/validate',
        body: () => ({ userKey: license.userKey, licenseToken: seat(), clientId: 'bench' }),
      },
      { label: 'heartbeat', path: '/v1/license/heartbeat', body: () => ({ licenseToken: seat() }) },
    ];

    // The same request to both servers must answer the same bytes; heartbeat's expiry is the time of the call.
    for (const scenario of scenarios) {
      const body = scenario.body();
      const answer = async (port: number) => {
        const response = await fetch(`http://127.0.0.1:${port}${scenario.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return response.text();
      };
      assertSameBytes(scenario.label, await answer(app.port), await answer(bare.port), maskTimestamps);
    }

    const targets = [
      ['service', app, ''],
      ['bare', bare, ''],
      ...(UNPREPARED ? ([['bare, unprepared', bare, '/plain']] as const) : []),
    ] as const;
    console.log(
      `\nautocannon: ${connections} connections, a random seat per request, ${describePlan(
        plan,
        targets.map(([target]) => target),
        true,
      )}`,
    );
    const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
    const database = { admin, name };
    const rows: string[] = [];
    let met = true;
    let errorsTotal = 0;
    for (const scenario of scenarios.filter((candidate) => !only || candidate.label === only)) {
      const run = (target: string, seconds: number) => {
        const [, server, prefix] = targets.find(([label]) => label === target)!;
        return hammer({
          port: server.port,
          server: server.child,
          database,
          request: { method: 'POST', path: () => prefix + scenario.path, body: scenario.body },
          seconds,
          connections,
        });
      };
      await warmUp(
        plan,
        targets.map(([target]) => target),
        run,
      );
      const rounds = await alternate(
        plan,
        targets.map(([target]) => target),
        run,
        (round, index) => console.log(`  ${scenario.label} round ${index + 1}: ${roundSummary(round, ' req/s')}`),
        combineLoads,
      );
      const throughput = ratios(rounds, (load) => load.perSecond, 'service', 'bare');
      const p99 = ratios(rounds, (load) => load.p99, 'service', 'bare');
      const serverCpu = ratios(rounds, (load) => load.serverCpu, 'service', 'bare');
      const errors = rounds.reduce((sum, round) => sum + round.results.service.errors + round.results.bare.errors, 0);
      const ok = throughput.median >= GOAL.ratio && p99.median <= GOAL.p99Ratio && errors === 0;
      met &&= ok;
      errorsTotal += errors;
      for (const [target] of targets)
        rows.push(
          `  ${scenario.label.padEnd(10)} ${loadRow(
            target.padEnd(17),
            rounds.map((round) => round.results[target]),
          )}`,
        );
      rows.push(
        `  ${scenario.label.padEnd(10)} service/bare: throughput ${spreadText(throughput)}, p99 ${spreadText(p99)}, server CPU per request ${spreadText(serverCpu)}` +
          `${UNPREPARED ? `; ${spreadText(ratios(rounds, (load) => load.perSecond, 'service', 'bare, unprepared'))} the unprepared bare` : ''}` +
          `   ${ok ? 'goal met' : 'GOAL MISSED'}`,
      );
      for (const line of loadLines(rounds)) rows.push(`  ${scenario.label.padEnd(10)} ${line}`);
    }
    console.log(`\n${rows.join('\n')}`);
    console.log(
      `\ngoal: median throughput ≥ ${GOAL.ratio}× bare, median p99 ≤ ${GOAL.p99Ratio}× bare's, no errors: ${met ? 'met' : 'MISSED'}`,
    );
    exitWithGoal(met, errorsTotal);
  } finally {
    for (const child of children) await stop(child);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
    if (buildFolder) rmSync(buildFolder, { recursive: true, force: true });
  }
}

const role = process.argv[2];
if (role === 'app') void serveApp();
else if (role === 'bare') void serveBare();
else
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
