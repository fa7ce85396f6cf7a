/**
 * GET /v1/licenses on a million licenses: the real service against a bare node:http + pg server
 * running the same list SQL with the same API key check and answering the same bytes (checked before the rounds),
 * both measured with autocannon at 16 connections in alternating rounds of 10 s (bench/rounds.ts), with the median
 * ratio, its range and the load average of each round.
 *
 *   npx ts-node --transpile-only bench/licenses-list.bench.ts [--quick] [--seconds 10] [--rounds 5] [--licenses 1000000]
 *       [--against <commit>]
 *
 * --quick seeds 100,000 licenses unless --licenses says otherwise.
 *
 * Needs PostgreSQL on 127.0.0.1:5432 (user postgres, or BENCH_DATABASE_SERVER_URL). Creates its own
 * database, seeds it with set-based SQL, and drops it at the end. The service and the bare server
 * each run in a child process of their own, so neither shares an event loop with the load generator.
 * Goal (median of the rounds' ratios): service ≥ 0.8× the bare throughput; absolute figures are information only.
 *
 * `--against <commit>` adds the service as it was at that commit (from its sources, as this one runs) on a database
 * of its own, seeded alike, as a third target of every round; this checkout's throughput below its median is a fall.
 */
import { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap';
import { hashApiKey } from '../src/common/auth/api-key-hash';
import { cursorShape, encodeCursor } from '../src/common/query/list-cursor';
import { ISO_TIMESTAMP_TYPES } from '../src/database/iso-timestamps';
import type { LicenseEntity } from '../src/modules/licenses/license.entity';
import { toLicenseDto } from '../src/modules/licenses/licenses.mapper';
import { combineLoads, hammer, loadRow } from './http-load';
import {
  QUICK,
  alternate,
  exitWithGoal,
  assertSameBytes,
  describePlan,
  printLoads,
  roundSummary,
  ratios,
  roundPlan,
  warmUp,
  spreadText,
} from './rounds';
import { CUSTOMERS, explain, seedThroughService } from './license-seed';
import {
  SERVER_URL,
  againstRef,
  benchDatabases,
  forkBuiltService,
  serviceAtRef,
  createBenchDatabase,
  argument,
  databaseUrl,
  forkRole,
  listening,
  serviceEnvironment,
  stopServer,
} from './support';

const CONNECTIONS = 16;
const GOAL = 0.8;
/** With --against: the median of the rounds' ratios of this checkout's throughput to the start commit's. */
const NO_FALL = 1;
const POOL_SIZE = 10;
const PAGE = 50;

/** The list request both servers answer: one customer's licenses, newest first. */
const serviceFilter = (customerId: number) => `CustomerId == ${customerId}`;
const SERVICE_SORT = 'CreatedAt desc';
const servicePath = (customerId: number) =>
  `/v1/licenses?take=${PAGE}&filter=${encodeURIComponent(serviceFilter(customerId))}&sort=${encodeURIComponent(SERVICE_SORT)}`;

interface CapturedQuery {
  query: string;
  parameters: unknown[];
}

// ---------------------------------------------------------------------------------------------------
// Child process roles

/** The real application, as main.ts serves it; records the SQL of requests when asked to. */
async function serveApp(): Promise<void> {
  const app = await createApp({ logger: ['error', 'fatal'] });
  await app.listen(0, '127.0.0.1');
  const dataSource = app.get(DataSource);
  let captured: CapturedQuery[] | undefined;
  const logQuery = dataSource.logger.logQuery.bind(dataSource.logger);
  dataSource.logger.logQuery = (query, parameters, runner) => {
    captured?.push({ query, parameters: (parameters as unknown[] | undefined) ?? [] });
    return logQuery(query, parameters, runner);
  };
  process.on('message', (message: { type: string }) => {
    if (message.type === 'capture-start') captured = [];
    if (message.type === 'capture-stop') {
      process.send!({ type: 'captured', queries: captured });
      captured = undefined;
    }
    if (message.type === 'stop') void app.close().then(() => process.exit(0));
  });
  process.send!({ type: 'listening', port: (app.getHttpServer().address() as AddressInfo).port });
}

/**
 * node:http + pg running the service's own list SQL (count, then page) with the customer id swapped in, answering
 * the service's license shape (its mapper) in the same envelope. The API key is checked as the service checks it:
 * its SHA-256 looked up with the service's statement the first time, from memory after that (the service's
 * principal cache), and a request with another key is refused.
 */
async function serveBare(): Promise<void> {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: POOL_SIZE });
  let plan: { queries: CapturedQuery[]; customerValue: number; keyHash: string } | undefined;
  const callers = new Map<string, boolean>();
  const known = async (apiKey: string | undefined): Promise<boolean> => {
    if (!apiKey) return false;
    const hash = hashApiKey(apiKey);
    let allowed = callers.get(hash);
    if (allowed === undefined) {
      const auth = plan!.queries[0];
      const { rows } = await pool.query(
        auth.query,
        auth.parameters.map((value) => (value === plan!.keyHash ? hash : value)),
      );
      callers.set(hash, (allowed = rows.length > 0));
    }
    return allowed;
  };
  const server = createServer((request, response) => {
    // Every failure is answered inside; nothing is left for the rejection.
    void (async () => {
      try {
        if (!(await known(request.headers['x-api-key'] as string | undefined))) {
          response.writeHead(401).end();
          return;
        }
        const url = new URL(request.url!, 'http://x');
        const customerId = Number(url.searchParams.get('customer'));
        const swap = (parameters: unknown[]) =>
          parameters.map((value) => (value === plan!.customerValue ? customerId : value));
        const [, count, page] = plan!.queries;
        // Prepared once per connection, as the service prepares its list statements (and as issue 12 defines the bare).
        const total = await pool.query({ name: 'bare_count', text: count.query, values: swap(count.parameters) });
        const rows = await pool.query({
          name: 'bare_page',
          text: page.query,
          values: swap(page.parameters),
          types: ISO_TIMESTAMP_TYPES,
        });
        // The page SQL reads one row more than the page, to know whether a nextCursor follows; the cursor is
        // signed as the service signs it, over the last row's exact created_at text and id.
        const listed = rows.rows.slice(0, PAGE) as Array<LicenseEntity & { cursor_key_0: string }>;
        const last = listed[listed.length - 1];
        const nextCursor =
          rows.rows.length > PAGE
            ? encodeCursor({
                shape: cursorShape(['License', customerId, SERVICE_SORT]),
                values: [last.cursor_key_0, last.id],
              })
            : null;
        const body = JSON.stringify({
          success: true,
          code: 0,
          message: 'OK',
          licenses: listed.map((row) => toLicenseDto(row)),
          totalLicensesCount: Number(Object.values(total.rows[0])[0]),
          nextCursor,
        });
        response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
      } catch (error) {
        response.writeHead(500).end(String(error));
      }
    })();
  });
  server.listen(0, '127.0.0.1', () =>
    process.send!({ type: 'listening', port: (server.address() as AddressInfo).port }),
  );
  process.on(
    'message',
    (message: { type: string; queries?: CapturedQuery[]; customerValue?: number; keyHash?: string }) => {
      if (message.type === 'plan')
        plan = { queries: message.queries!, customerValue: message.customerValue!, keyHash: message.keyHash! };
      if (message.type === 'stop') server.close(() => void pool.end().then(() => process.exit(0)));
    },
  );
}

// ---------------------------------------------------------------------------------------------------
// Orchestration

function start(role: 'app' | 'bare', env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  // BENCH_PROFILE=<folder> writes a V8 CPU profile of each server process there, to find the hot path.
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`, `--cpu-prof-name=${role}.cpuprofile`]
    : [];
  return listening(forkRole(__filename, role, env, profile), role);
}

function request<T>(child: ChildProcess, message: object, answer: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (reply: { type: string }) => {
      if (reply.type !== answer) return;
      child.off('message', listener);
      resolve(reply as T);
    };
    child.on('message', listener);
    child.send(message);
  });
}

async function main(): Promise<void> {
  const plan = roundPlan({ rounds: 5 });
  const licenses = argument('licenses', QUICK ? 100_000 : 1_000_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'licensing-bench-'));
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  const name = await createBenchDatabase(admin);
  console.log(`database ${name}`);
  const env = serviceEnvironment(name, dataDir, POOL_SIZE);
  const children: ChildProcess[] = [];
  const db = new Client({ connectionString: databaseUrl(name) });
  const ref = againstRef();
  const atRef = ref ? serviceAtRef(ref, 'sources') : undefined;
  try {
    const app = await start('app', env);
    children.push(app.child);
    await db.connect();
    const base = `http://127.0.0.1:${app.port}`;
    const { apiKey, firstCustomer } = await seedThroughService(app.port, env, db, licenses);

    // The SQL the service runs for this list, captured from TypeORM; the bare server runs exactly it.
    app.child.send({ type: 'capture-start' });
    const probeCustomer = firstCustomer + 4242;
    const probe = await fetch(base + servicePath(probeCustomer), { headers: { 'x-api-key': apiKey } });
    const probeText = await probe.text();
    const probeBody = JSON.parse(probeText) as { licenses: unknown[]; totalLicensesCount: number };
    const { queries } = await request<{ queries: CapturedQuery[] }>(app.child, { type: 'capture-stop' }, 'captured');
    const listQueries = queries.filter((q) => /FROM "licenses"/.test(q.query));
    console.log(
      `\nSQL of GET ${servicePath(probeCustomer)} (${queries.length} statements, ${listQueries.length} for the list; the other looks the API key up, which later requests answer from the principal cache):`,
    );
    for (const q of queries)
      console.log(
        `  ${q.query.replace(/\s+/g, ' ').slice(0, 220)}${q.query.length > 220 ? ' …' : ''}  -- ${JSON.stringify(q.parameters).slice(0, 60)}`,
      );
    console.log(
      `  answered ${probeBody.licenses.length} licenses of ${probeBody.totalLicensesCount} for customer ${probeCustomer}`,
    );

    console.log('\nEXPLAIN ANALYZE of list queries on the seeded table (filter → plan):');
    const [count, page] = listQueries;
    await explain(db, 'count: CustomerId == n', count.query, count.parameters);
    await explain(db, 'page:  CustomerId == n, sort CreatedAt desc', page.query, page.parameters);
    const pageSql = (where: string, order: string) =>
      `SELECT * FROM licenses WHERE ${where} ORDER BY ${order} LIMIT 50`;
    await explain(db, 'LicenseId == "lic000F4240"', pageSql(`license_id = 'lic000F4240'`, 'id'), []);
    const [{ user_key: userKey }] = (await db.query('SELECT user_key FROM licenses WHERE id = 777')).rows;
    await explain(db, `UserKey == "${userKey}"`, pageSql('user_key = $1', 'id'), [userKey]);
    await explain(
      db,
      'LicenseeEmail == "user500000@example.com"',
      pageSql(`licensee_email = 'user500000@example.com'`, 'id'),
      [],
    );
    await explain(
      db,
      'ExpireDate < now()+30 days, sort ExpireDate',
      pageSql(`expire_date < now() + interval '30 days'`, 'expire_date, id'),
      [],
    );
    await explain(
      db,
      'LicensingMode == 1, sort CreatedAt desc',
      pageSql('licensing_mode = 1', 'created_at DESC, id'),
      [],
    );
    await explain(db, 'Revoked == true', pageSql('revoked', 'id'), []);
    await explain(
      db,
      'CustomerId == n, sort ExpireDate',
      pageSql(`customer_id = ${probeCustomer}`, 'expire_date, id'),
      [],
    );
    await explain(db, 'OrderId == n', pageSql('order_id = 7', 'id'), []);
    await explain(db, 'count(*) Revoked == true', 'SELECT count(*) FROM licenses WHERE revoked', []);

    const bare = await start('bare', env);
    children.push(bare.child);
    const authQuery = queries.find((q) => /FROM api_keys/.test(q.query))!;
    bare.child.send({
      type: 'plan',
      queries: [authQuery, count, page],
      customerValue: probeCustomer,
      keyHash: hashApiKey(apiKey),
    });
    const bareBody = await fetch(`http://127.0.0.1:${bare.port}/bare?customer=${probeCustomer}`, {
      headers: { 'x-api-key': apiKey },
    });
    console.log('');
    // The bare signs its cursor over other shape parts (and under its own key), so the cursor's bytes differ; its length may not.
    const cursorMasked = (body: string) =>
      body.replace(/"nextCursor":"([^"]*)"/, (_, cursor: string) => `"nextCursor":"${cursor.length} characters"`);
    assertSameBytes(`GET ${servicePath(probeCustomer)}`, probeText, await bareBody.text(), cursorMasked);

    // The service at --against: from its own sources, as this one runs, on a database of its own seeded the same way.
    const before = atRef
      ? await (async () => {
          const refName = await createBenchDatabase(admin);
          const refEnv = serviceEnvironment(refName, join(dataDir, 'at-ref'), POOL_SIZE);
          const server = await listening(forkBuiltService(atRef.entry, refEnv), `start ${atRef.commit}`);
          children.push(server.child);
          console.log(`\nstart ${atRef.commit}: from its sources under ts-node, database ${refName}`);
          const refDb = new Client({ connectionString: databaseUrl(refName) });
          await refDb.connect();
          try {
            return { server, name: refName, fixture: await seedThroughService(server.port, refEnv, refDb, licenses) };
          } finally {
            await refDb.end();
          }
        })()
      : undefined;
    const startLabel = atRef ? `start ${atRef.commit}` : undefined;
    const labels = ['service', 'bare', ...(startLabel ? [startLabel] : [])];

    console.log(
      `\nautocannon: ${CONNECTIONS} connections, a random customer per request, ${describePlan(plan, labels, true)}`,
    );
    const customer = (first: number) => first + Math.floor(Math.random() * CUSTOMERS);
    const targets: Record<
      string,
      { port: number; child: ChildProcess; path: () => string; apiKey: string; database: string }
    > = {
      service: { ...app, path: () => servicePath(customer(firstCustomer)), apiKey, database: name },
      bare: { ...bare, path: () => `/bare?customer=${customer(firstCustomer)}`, apiKey, database: name },
      ...(before && startLabel
        ? {
            [startLabel]: {
              ...before.server,
              path: () => servicePath(customer(before.fixture.firstCustomer)),
              apiKey: before.fixture.apiKey,
              database: before.name,
            },
          }
        : {}),
    };
    const run = (target: string, seconds: number) =>
      hammer({
        port: targets[target].port,
        server: targets[target].child,
        database: { admin, name: targets[target].database },
        request: { path: targets[target].path, headers: { 'x-api-key': targets[target].apiKey } },
        seconds,
        connections: CONNECTIONS,
      });
    await warmUp(plan, labels, run);
    const rounds = await alternate(
      plan,
      labels,
      run,
      (round, index) => console.log(`  round ${index + 1}: ${roundSummary(round, ' req/s')}`),
      combineLoads,
    );
    console.log('');
    for (const target of labels)
      console.log(
        `  ${loadRow(
          target.padEnd(startLabel ? 15 : 8),
          rounds.map((round) => round.results[target]),
        )}`,
      );
    const throughput = ratios(rounds, (load) => load.perSecond, 'service', 'bare');
    const errors = rounds.reduce(
      (sum, round) => sum + labels.reduce((inRound, label) => inRound + round.results[label].errors, 0),
      0,
    );
    let met = throughput.median >= GOAL && errors === 0;
    console.log(
      `  service/bare: throughput ${spreadText(throughput)}, p95 ${spreadText(ratios(rounds, (load) => load.p95, 'service', 'bare'))}, ` +
        `server CPU per request ${spreadText(ratios(rounds, (load) => load.serverCpu, 'service', 'bare'))}`,
    );
    if (startLabel) {
      const sinceStart = ratios(rounds, (load) => load.perSecond, 'service', startLabel);
      const fell = !(sinceStart.median >= NO_FALL);
      met &&= !fell;
      console.log(
        `  ${startLabel}/bare: throughput ${spreadText(ratios(rounds, (load) => load.perSecond, startLabel, 'bare'))}; ` +
          `service/${startLabel}: throughput ${spreadText(sinceStart)}, p95 ${spreadText(ratios(rounds, (load) => load.p95, 'service', startLabel))}` +
          `   ${fell ? 'FELL' : 'no fall'}`,
      );
    }
    printLoads(rounds);
    console.log(
      `\ngoal: median throughput ≥ ${GOAL}× bare, no errors${startLabel ? `, throughput ≥ ${NO_FALL}× the ${startLabel}'s` : ''}: ${met ? 'met' : 'MISSED'}`,
    );
    exitWithGoal(met, errors);
  } finally {
    for (const child of children) await stopServer(child, 5000);
    await db.end().catch(() => undefined);
    for (const database of benchDatabases) await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
    atRef?.remove();
    console.log(`dropped ${[...benchDatabases].join(', ')}`);
  }
}

const role = process.argv[2];
const run = role === 'app' ? serveApp : role === 'bare' ? serveBare : main;
run().catch((error) => {
  console.error(error);
  process.exit(1);
});
