/**
 * The client Licensing API's two hot paths, POST /v1/license/validate and POST /v1/license/heartbeat:
 * the real service listening on loopback against a bare node:http + pg server running the same
 * statements (imported from the service, prepared the same way), both measured with autocannon
 * (32 connections, ~10 s each, in alternating rounds) in one run. Besides req/s and latency it prints the CPU each request
 * cost the server process, PostgreSQL and the load generator, which on a small machine share the cores.
 *
 *   npx ts-node --transpile-only bench/licensing-api.bench.ts [--seconds 10] [--rounds 4] [--connections 32] [--only validate|heartbeat]
 *                                                            [--log-minimum-level Warning] [--ts-node] [--profile <dir>]
 *
 * Needs PostgreSQL on 127.0.0.1:5432 (user postgres, or BENCH_DATABASE_SERVER_URL). Creates its own
 * database (migrations run by the service at start), seeds a floating license with 256 held seats
 * through the API, raises the rate limits through PUT /v1/settings so they do not distort the
 * figures, and drops the database at the end. The service and the bare server run in child
 * processes of their own, so neither shares an event loop with the load generator.
 * Goal: service ≥ 0.6 × bare throughput, ≥ 2,000 req/s and p99 ≤ 20 ms at 32 connections.
 */
import { ChildProcess, execFileSync, fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { createApp } from '../src/bootstrap';
import { HEARTBEAT } from '../src/modules/licensing-api/client-tokens.repository';
import { VALIDATE_BY_TOKEN } from '../src/modules/licensing-api/client-licenses.repository';
import { SERVER_URL, argument, serviceEnvironment } from './support';

// autocannon ships no type declarations; this is the part of its API the bench uses.
interface AutocannonInstance extends PromiseLike<{
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}> {
  on(
    event: 'response',
    listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void,
  ): void;
}
type Autocannon = (options: Record<string, unknown>) => AutocannonInstance;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

const POOL_SIZE = 10;
const SEATS = 256;
const LIFETIME_SECONDS = 600;
const GOAL = { ratio: 0.6, perSecond: 2000, p99: 20 };

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
      : fork(__filename, [role], { env, execArgv: ['-r', 'ts-node/register/transpile-only', ...profile] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
    child.on('message', (message: { type: string; port?: number }) => {
      if (message.type === 'listening') resolve({ child, port: message.port! });
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.removeAllListeners('exit');
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.send({ type: 'stop' });
  });
}

/** CPU seconds a process has used so far (user + system), from /proc; NaN where /proc is absent. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds used so far by each PostgreSQL backend serving the bench database (the server is local). */
async function postgresCpu(admin: Client, database: string): Promise<Map<number, number>> {
  const { rows } = await admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
  return new Map(rows.map((row: { pid: number }) => [row.pid, cpuSeconds(row.pid) || 0]));
}

/** CPU the backends used between two snapshots; a backend that started meanwhile counts from zero. */
function postgresCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/** One measurement of one target: what autocannon saw and the CPU each process used meanwhile. */
interface Measurement {
  latencies: number[];
  seconds: number;
  errors: number;
  serverCpuSeconds: number;
  postgresCpuSeconds: number;
  loadCpuSeconds: number;
}

interface Summary {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU time per request, in microseconds, of the server process, of PostgreSQL, and of the load generator (this process). */
  cpuPerRequest: number;
  postgresCpuPerRequest: number;
  loadCpuPerRequest: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

interface Database {
  admin: Client;
  name: string;
}

async function measure(
  database: Database,
  server: ChildProcess,
  port: number,
  path: string,
  body: () => object,
  seconds: number,
  connections: number,
): Promise<Measurement> {
  const cpuBefore = cpuSeconds(server.pid);
  const postgresBefore = await postgresCpu(database.admin, database.name);
  const loadBefore = process.cpuUsage();
  const latencies: number[] = [];
  let errors = 0;
  const instance = autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json' },
        setupRequest: (request: object) => ({ ...request, body: JSON.stringify(body()) }),
      },
    ],
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode !== 200) errors++;
    latencies.push(responseTime);
  });
  const result = await instance;
  const load = process.cpuUsage(loadBefore);
  const postgresAfter = await postgresCpu(database.admin, database.name);
  return {
    latencies,
    seconds: result.duration,
    errors: errors + result.errors + result.timeouts,
    serverCpuSeconds: cpuSeconds(server.pid) - cpuBefore,
    postgresCpuSeconds: postgresCpuBetween(postgresBefore, postgresAfter),
    loadCpuSeconds: (load.user + load.system) / 1e6,
  };
}

/** The rounds of one target taken together. */
function summarize(rounds: Measurement[]): Summary {
  const latencies = rounds.flatMap((round) => round.latencies).sort((a, b) => a - b);
  const total = (pick: (round: Measurement) => number) => rounds.reduce((sum, round) => sum + pick(round), 0);
  const perRequest = (seconds: number) => (seconds / latencies.length) * 1e6;
  return {
    requests: latencies.length,
    perSecond: latencies.length / total((round) => round.seconds),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors: total((round) => round.errors),
    cpuPerRequest: perRequest(total((round) => round.serverCpuSeconds)),
    postgresCpuPerRequest: perRequest(total((round) => round.postgresCpuSeconds)),
    loadCpuPerRequest: perRequest(total((round) => round.loadCpuSeconds)),
  };
}

async function main(): Promise<void> {
  const seconds = argument('seconds', 10);
  const connections = argument('connections', 32);
  const rounds = argument('rounds', 4);
  const name = `licensing_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'licensing-bench-'));
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
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

    console.log(
      `\nautocannon: ${connections} connections, ${seconds} s per target in ${rounds} alternating rounds (so that whatever else loads the machine weighs on all alike), a random seat per request (3 s warm-up each first)`,
    );
    const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
    const rows: string[] = [];
    let met = true;
    for (const scenario of scenarios.filter((candidate) => !only || candidate.label === only)) {
      const figures: Record<string, Summary> = {};
      const database = { admin, name };
      const targets = [
        ['service', app, scenario.path],
        ['bare', bare, scenario.path],
        ['bare, unprepared', bare, `/plain${scenario.path}`],
      ] as const;
      const measured = new Map<string, Measurement[]>(targets.map(([target]) => [target, []]));
      for (const [, server, path] of targets)
        await measure(database, server.child, server.port, path, scenario.body, 3, connections);
      for (let round = 0; round < rounds; round++) {
        for (const [target, server, path] of round % 2 === 0 ? targets : [...targets].reverse()) {
          measured
            .get(target)!
            .push(
              await measure(database, server.child, server.port, path, scenario.body, seconds / rounds, connections),
            );
        }
      }
      for (const [target] of targets) figures[target] = summarize(measured.get(target)!);
      const ratio = figures.service.perSecond / figures.bare.perSecond;
      const ok =
        ratio >= GOAL.ratio &&
        figures.service.perSecond >= GOAL.perSecond &&
        figures.service.p99 <= GOAL.p99 &&
        figures.service.errors === 0;
      met &&= ok;
      for (const [target] of targets) {
        const f = figures[target];
        rows.push(
          `  ${scenario.label.padEnd(10)} ${target.padEnd(17)} ${f.perSecond.toFixed(0).padStart(6)} req/s   p50 ${f.p50.toFixed(1).padStart(5)} ms   p99 ${f.p99.toFixed(1).padStart(5)} ms   ` +
            `CPU per request: server ${f.cpuPerRequest.toFixed(0).padStart(4)} µs, postgres ${f.postgresCpuPerRequest.toFixed(0).padStart(4)} µs, autocannon ${f.loadCpuPerRequest.toFixed(0).padStart(3)} µs   (${f.requests} requests, ${f.errors} errors)`,
        );
      }
      rows.push(
        `  ${scenario.label.padEnd(10)} ratio ${ratio.toFixed(2)}× the bare server (${(figures.service.perSecond / figures['bare, unprepared'].perSecond).toFixed(2)}× the unprepared one)   ${ok ? 'goal met' : 'GOAL MISSED'}`,
      );
    }
    console.log(`\n${rows.join('\n')}`);
    console.log(
      `\ngoal: service ≥ ${GOAL.ratio}× bare, ≥ ${GOAL.perSecond} req/s, p99 ≤ ${GOAL.p99} ms, no errors: ${met ? 'met' : 'MISSED'}`,
    );
    process.exitCode = met ? 0 : 1;
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
