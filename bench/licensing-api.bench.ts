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
 *       [--against <commit>]
 *
 * Needs PostgreSQL on 127.0.0.1:5432 (user postgres, or BENCH_DATABASE_SERVER_URL). Creates its own
 * database (migrations run by the service at start), seeds a floating license with 256 held seats
 * through the API, raises the rate limits through PUT /v1/settings so they do not distort the
 * figures, and drops the database at the end. The service and the bare server run in child
 * processes of their own, so neither shares an event loop with the load generator.
 * The service runs with its default request log setting. Goal (medians of the rounds' ratios): service ≥ 0.8× the
 * bare throughput and p99 ≤ 1.5× the bare's at 32 connections, no errors; absolute figures are information only.
 *
 * `--against <commit>` adds a third target to every round: the service as it was at that commit (e39d0fd, the start
 * of the speed work), built with its own build script and run on a database of its own, seeded the same way. Its
 * ratios to the bare server and this checkout's ratio to it are printed; a median below 1× is a fall.
 */
import { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
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
  againstRef,
  argument,
  buildService,
  createBenchDatabase,
  forkBuiltService,
  forkRole,
  listening,
  serviceAtRef,
  serviceEnvironment,
  stopServer,
} from './support';

const POOL_SIZE = 10;
const SEATS = 256;
const LIFETIME_SECONDS = 600;
const GOAL = { ratio: 0.8, p99Ratio: 1.5 };
/** With --against: the median of the rounds' ratios of this checkout's throughput to the start commit's. */
const NO_FALL = 1;

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

/**
 * `--profile <dir>` writes V8 CPU profiles of the service to `<dir>/app` and of the bare server to `<dir>/bare` (open
 * them in Chrome DevTools): the bare's beside the service's tells which functions only the service pays for.
 */
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

function start(
  role: 'app' | 'bare',
  env: NodeJS.ProcessEnv,
  compiledApp?: string,
): Promise<{ child: ChildProcess; port: number }> {
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${join(PROFILE_DIR, role)}`] : [];
  const child =
    role === 'app' && compiledApp
      ? forkBuiltService(compiledApp, env, profile)
      : forkRole(__filename, role, env, profile);
  return listening(child, role);
}

/** What the rounds need of a service: a floating license and the tokens of its held seats. */
interface FloatingFixture {
  userKey: string;
  seats: string[];
}

/**
 * Seeds a service through its API: rate limits raised so that they do not distort the figures, a floating license,
 * and SEATS seats held on it.
 */
async function seedFloating(port: number, env: NodeJS.ProcessEnv): Promise<FloatingFixture & { licenseKeyId: string }> {
  const base = `http://127.0.0.1:${port}`;
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
  return { userKey: license.userKey, seats, licenseKeyId: license.licenseKeyId };
}

const stop = (child: ChildProcess) => stopServer(child);

async function main(): Promise<void> {
  const plan = roundPlan({ rounds: 5 });
  const connections = argument('connections', 32);
  const ref = againstRef();
  const dataDir = mkdtempSync(join(tmpdir(), 'licensing-bench-'));
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  const name = await createBenchDatabase(admin);
  // The service at --against runs its own migrations on a database of its own, seeded the same way.
  const refName = ref ? await createBenchDatabase(admin) : undefined;
  const [{ server_version: version }] = (await admin.query('SHOW server_version')).rows;
  console.log(
    `database ${name} (PostgreSQL ${version}), ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`,
  );
  const env = serviceEnvironment(name, dataDir, POOL_SIZE);
  const children: ChildProcess[] = [];
  const buildFolder = FROM_SOURCES ? undefined : mkdtempSync(join(tmpdir(), 'licensing-bench-build-'));
  const atRef = ref ? serviceAtRef(ref, FROM_SOURCES ? 'sources' : 'build') : undefined;
  try {
    if (buildFolder) console.log('building the service (scripts/build.mjs) …');
    const app = await start('app', env, buildFolder ? buildService(buildFolder) : undefined);
    console.log(
      `service: ${buildFolder ? 'compiled, plain node' : 'from the sources under ts-node'}, pool ${POOL_SIZE} connections; bare server: node:http + pg, pool ${POOL_SIZE}`,
    );
    children.push(app.child);
    const fixture = await seedFloating(app.port, env);
    const bare = await start('bare', env);
    children.push(bare.child);
    const startLabel = atRef ? `start ${atRef.commit}` : undefined;
    const before = atRef
      ? await (async () => {
          const refDataDir = join(dataDir, 'at-ref');
          const refEnv = serviceEnvironment(refName!, refDataDir, POOL_SIZE);
          const server = await listening(forkBuiltService(atRef.entry, refEnv), startLabel!);
          children.push(server.child);
          console.log(`${startLabel}: compiled, plain node, pool ${POOL_SIZE} connections, database ${refName}`);
          return { server, fixture: await seedFloating(server.port, refEnv) };
        })()
      : undefined;

    const seat = (seats: string[]) => seats[Math.floor(Math.random() * seats.length)];
    const scenarios = [
      {
        label: 'validate',
        path: '/v1/license/validate',
        body: (on: FloatingFixture) => () => ({ userKey: on.userKey, licenseToken: seat(on.seats), clientId: 'bench' }),
      },
      {
        label: 'heartbeat',
        path: '/v1/license/heartbeat',
        body: (on: FloatingFixture) => () => ({ licenseToken: seat(on.seats) }),
      },
    ];

    // The same request to both servers must answer the same bytes; heartbeat's expiry is the time of the call.
    for (const scenario of scenarios) {
      const body = scenario.body(fixture)();
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

    const database = { admin, name };
    const targets: Array<{
      label: string;
      server: { child: ChildProcess; port: number };
      prefix: string;
      fixture: FloatingFixture;
      database: { admin: Client; name: string };
    }> = [
      { label: 'service', server: app, prefix: '', fixture, database },
      { label: 'bare', server: bare, prefix: '', fixture, database },
      ...(UNPREPARED ? [{ label: 'bare, unprepared', server: bare, prefix: '/plain', fixture, database }] : []),
      ...(before
        ? [
            {
              label: startLabel!,
              server: before.server,
              prefix: '',
              fixture: before.fixture,
              database: { admin, name: refName! },
            },
          ]
        : []),
    ];
    const labels = targets.map((target) => target.label);
    console.log(
      `\nautocannon: ${connections} connections, a random seat per request, ${describePlan(plan, labels, true)}`,
    );
    const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
    const rows: string[] = [];
    let met = true;
    let errorsTotal = 0;
    for (const scenario of scenarios.filter((candidate) => !only || candidate.label === only)) {
      const run = (label: string, seconds: number) => {
        const target = targets.find((candidate) => candidate.label === label)!;
        return hammer({
          port: target.server.port,
          server: target.server.child,
          database: target.database,
          request: { method: 'POST', path: () => target.prefix + scenario.path, body: scenario.body(target.fixture) },
          seconds,
          connections,
        });
      };
      await warmUp(plan, labels, run);
      const rounds = await alternate(
        plan,
        labels,
        run,
        (round, index) => console.log(`  ${scenario.label} round ${index + 1}: ${roundSummary(round, ' req/s')}`),
        combineLoads,
      );
      const throughput = ratios(rounds, (load) => load.perSecond, 'service', 'bare');
      const p99 = ratios(rounds, (load) => load.p99, 'service', 'bare');
      const serverCpu = ratios(rounds, (load) => load.serverCpu, 'service', 'bare');
      const errors = rounds.reduce(
        (sum, round) => sum + labels.reduce((inRound, label) => inRound + round.results[label].errors, 0),
        0,
      );
      let ok = throughput.median >= GOAL.ratio && p99.median <= GOAL.p99Ratio && errors === 0;
      errorsTotal += errors;
      for (const label of labels)
        rows.push(
          `  ${scenario.label.padEnd(10)} ${loadRow(
            label.padEnd(17),
            rounds.map((round) => round.results[label]),
          )}`,
        );
      rows.push(
        `  ${scenario.label.padEnd(10)} service/bare: throughput ${spreadText(throughput)}, p99 ${spreadText(p99)}, server CPU per request ${spreadText(serverCpu)}` +
          `${UNPREPARED ? `; ${spreadText(ratios(rounds, (load) => load.perSecond, 'service', 'bare, unprepared'))} the unprepared bare` : ''}` +
          `   ${ok ? 'goal met' : 'GOAL MISSED'}`,
      );
      if (startLabel) {
        // No fall since the start: this checkout at least as fast as the start commit, each in the same rounds.
        const sinceStart = ratios(rounds, (load) => load.perSecond, 'service', startLabel);
        const fell = !(sinceStart.median >= NO_FALL);
        ok &&= !fell;
        rows.push(
          `  ${scenario.label.padEnd(10)} ${startLabel}/bare: throughput ${spreadText(ratios(rounds, (load) => load.perSecond, startLabel, 'bare'))}, ` +
            `p99 ${spreadText(ratios(rounds, (load) => load.p99, startLabel, 'bare'))}; ` +
            `service/${startLabel}: throughput ${spreadText(sinceStart)}, p99 ${spreadText(ratios(rounds, (load) => load.p99, 'service', startLabel))}` +
            `   ${fell ? 'FELL' : 'no fall'}`,
        );
      }
      met &&= ok;
      for (const line of loadLines(rounds)) rows.push(`  ${scenario.label.padEnd(10)} ${line}`);
    }
    console.log(`\n${rows.join('\n')}`);
    console.log(
      `\ngoal: median throughput ≥ ${GOAL.ratio}× bare, median p99 ≤ ${GOAL.p99Ratio}× bare's, no errors` +
        `${startLabel ? `, throughput ≥ ${NO_FALL}× the ${startLabel}'s` : ''}: ${met ? 'met' : 'MISSED'}`,
    );
    exitWithGoal(met, errorsTotal);
  } finally {
    for (const child of children) await stop(child);
    for (const database of [name, refName])
      if (database) await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
    if (buildFolder) rmSync(buildFolder, { recursive: true, force: true });
    atRef?.remove();
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
