/**
 * Deep pages of GET /v1/licenses on a million licenses, unfiltered: the first page, page 10,000 by cursor and
 * skip=500000 (the same rows, 499,951 to 500,000 in id order), each with and without the count (withTotal=false),
 * one request at a time (the latency of one page, not throughput), the variants interleaved in rounds. Prints the
 * median of each with its range and the load average, the median of the per-round ratio the goal is about, and EXPLAIN
 * ANALYZE of the page statements the service ran (captured from TypeORM's logger).
 *
 *   npx ts-node --transpile-only bench/list-deep-pages.bench.ts [--quick] [--licenses 1000000] [--repeat 31]
 *       [--against <commit>]
 *
 * Goal (issue 12): page 10,000 by cursor within 2× the time of page 1; skip=500000 unchanged or better. Against a
 * service without cursors (an older checkout) the cursor figures are left out. `--against <commit>` also times page 1
 * and skip=500000 (exact count) of the service at that commit, from its sources in a process of its own on a database
 * of its own seeded alike, in the same rounds, and prints this checkout's ratio to it per round. Needs PostgreSQL on 127.0.0.1:5432
 * (or BENCH_DATABASE_SERVER_URL); makes and drops its own database.
 */
import { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap';
import { explain, seedThroughService } from './license-seed';
import { QUICK, Spread, spread, spreadText } from './rounds';
import {
  SERVER_URL,
  againstRef,
  argument,
  benchDatabases,
  createBenchDatabase,
  databaseUrl,
  forkBuiltService,
  listening,
  serviceAtRef,
  serviceEnvironment,
  stopServer,
} from './support';

const PAGE = 50;
const DEEP_PAGE = 10_000;
/** With --against: skip=500000 at most this many times the start commit's time counts as unchanged (run-to-run noise). */
const UNCHANGED = 1.05;

interface Captured {
  query: string;
  parameters: unknown[];
}

async function main(): Promise<void> {
  const licenses = argument('licenses', QUICK ? 100_000 : 1_000_000);
  const repeat = argument('repeat', QUICK ? 3 : 31);
  const deepOffset = Math.min((DEEP_PAGE - 1) * PAGE, licenses - PAGE);
  const skipOffset = Math.min(500_000, licenses - PAGE);
  const dataDir = mkdtempSync(join(tmpdir(), 'licensing-bench-'));
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  const name = await createBenchDatabase(admin);
  console.log(`database ${name}`);
  Object.assign(process.env, serviceEnvironment(name, dataDir, 10));
  const app = await createApp({ logger: ['error', 'fatal'] });
  const db = new Client({ connectionString: databaseUrl(name) });
  const ref = againstRef();
  const atRef = ref ? serviceAtRef(ref, 'sources') : undefined;
  let refServer: ChildProcess | undefined;
  try {
    await app.listen(0, '127.0.0.1');
    await db.connect();
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const base = `http://127.0.0.1:${port}`;
    let captured: Captured[] | undefined;
    const dataSource = app.get(DataSource);
    const logQuery = dataSource.logger.logQuery.bind(dataSource.logger);
    dataSource.logger.logQuery = (query, parameters, runner) => {
      captured?.push({ query, parameters: (parameters as unknown[] | undefined) ?? [] });
      return logQuery(query, parameters, runner);
    };
    /** Answers the JSON body; the bench reads the few members it needs by name. */
    const call = async (
      method: string,
      path: string,
      body?: object,
      headers: Record<string, string> = {},
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
    ): Promise<any> => {
      const response = await fetch(base + path, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        body: body ? JSON.stringify(body) : undefined,
      });
      const json = await response.json();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    };
    const { apiKey } = await seedThroughService(port, process.env, db, licenses, { keepSample: false });

    // The service at --against, from its sources as this one runs, on a database of its own seeded alike.
    const atStart = atRef
      ? await (async () => {
          const refName = await createBenchDatabase(admin);
          const refEnv = serviceEnvironment(refName, join(dataDir, 'at-ref'), 10);
          const server = await listening(forkBuiltService(atRef.entry, refEnv), `start ${atRef.commit}`);
          refServer = server.child;
          console.log(
            `start ${atRef.commit}: from its sources under ts-node, in a process of its own, database ${refName}`,
          );
          const refDb = new Client({ connectionString: databaseUrl(refName) });
          await refDb.connect();
          try {
            const fixture = await seedThroughService(server.port, refEnv, refDb, licenses, { keepSample: false });
            return { server, name: refName, apiKey: fixture.apiKey };
          } finally {
            await refDb.end();
          }
        })()
      : undefined;
    const startLabel = atRef ? `start ${atRef.commit}` : undefined;

    const list = async (query: string): Promise<{ licenses: Array<{ id: number }>; nextCursor?: string | null }> =>
      call('GET', `/v1/licenses?take=${PAGE}${query}`, undefined, { 'x-api-key': apiKey });
    /** The start commit's list, by the query parameters the reference defines (it knew no cursor or withTotal). */
    const listAtStart = async (query: string): Promise<void> => {
      const response = await fetch(`http://127.0.0.1:${atStart!.server.port}/v1/licenses?take=${PAGE}${query}`, {
        headers: { 'x-api-key': atStart!.apiKey },
      });
      if (!response.ok) throw new Error(`${startLabel}: GET ${query}: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
    };
    const statementsOf = async (query: string): Promise<Captured[]> => {
      captured = [];
      await list(query);
      const page = captured.filter((statement) => /FROM "licenses"/.test(statement.query));
      captured = undefined;
      return page;
    };

    // The cursor a walk would hold after page 9,999: the skip page before the deep one answers it.
    const before = await list(`&skip=${deepOffset - PAGE}&withTotal=false`);
    const cursor = before.nextCursor ? `&cursor=${encodeURIComponent(before.nextCursor)}` : undefined;
    if (cursor) {
      const byCursor = await list(`${cursor}&withTotal=false`);
      const bySkip = await list(`&skip=${deepOffset}`);
      const same =
        JSON.stringify(byCursor.licenses.map((l) => l.id)) === JSON.stringify(bySkip.licenses.map((l) => l.id));
      if (!same) throw new Error(`page ${DEEP_PAGE} by cursor differs from skip=${deepOffset}`);
      console.log(
        `page ${DEEP_PAGE} by cursor answers the rows of skip=${deepOffset} (ids ${byCursor.licenses[0].id}…)`,
      );
    } else {
      console.log('this service answers no nextCursor: cursor figures left out');
    }

    const variants: Array<{ label: string; query: string; fetch?: (query: string) => Promise<unknown> }> = [
      { label: 'page 1 (exact count)', query: '' },
      { label: 'page 1, withTotal=false', query: '&withTotal=false' },
      ...(cursor
        ? [
            { label: `page ${DEEP_PAGE} by cursor (exact count)`, query: cursor },
            { label: `page ${DEEP_PAGE} by cursor, withTotal=false`, query: `${cursor}&withTotal=false` },
          ]
        : []),
      { label: `skip=${skipOffset} (exact count)`, query: `&skip=${skipOffset}` },
      { label: `skip=${skipOffset}, withTotal=false`, query: `&skip=${skipOffset}&withTotal=false` },
      ...(startLabel
        ? [
            { label: `${startLabel}: page 1 (exact count)`, query: '', fetch: listAtStart },
            {
              label: `${startLabel}: skip=${skipOffset} (exact count)`,
              query: `&skip=${skipOffset}`,
              fetch: listAtStart,
            },
          ]
        : []),
    ];
    console.log(
      `\none request at a time, ${repeat} rounds of every variant after a warm-up, the order turning each round; ` +
        `${PAGE} licenses per page, no filter, sort id:`,
    );
    for (const variant of variants) await (variant.fetch ?? list)(variant.query); // warm: statement cache, plan, buffers
    // Interleaved, as the throughput benches alternate their targets: a GC pause, a log flush or a neighbour's
    // burst falls on every variant alike instead of on one block of samples.
    const samples = new Map<string, number[]>(variants.map((variant) => [variant.label, []]));
    const loads: number[] = [];
    for (let round = 0; round < repeat; round++) {
      loads.push(loadavg()[0]);
      const order = variants.map((_, index) => variants[(index + round) % variants.length]);
      for (const variant of order) {
        const started = process.hrtime.bigint();
        await (variant.fetch ?? list)(variant.query);
        samples.get(variant.label)!.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }
    const timings = new Map<string, Spread>();
    for (const variant of variants) {
      const timing = spread(samples.get(variant.label)!);
      timings.set(variant.label, timing);
      console.log(`  ${variant.label.padEnd(52)} median ${spreadText(timing, 1, ' ms')}`);
    }
    console.log(`  load average (1 min) from ${Math.min(...loads).toFixed(2)} to ${Math.max(...loads).toFixed(2)}`);
    // The ratio within each round, then its median, as bench/rounds.ts takes the throughput ratios.
    const perRound = (over: string, under: string) =>
      spread(samples.get(over)!.map((value, round) => value / samples.get(under)![round]));
    if (cursor) {
      const deep = perRound(variants[3].label, variants[1].label);
      const counted = perRound(variants[2].label, variants[0].label);
      console.log(
        `\npage ${DEEP_PAGE} by cursor / page 1 (both withTotal=false, per round): ${spreadText(deep)} (goal ≤ 2×: ` +
          `${deep.median <= 2 ? 'met' : 'MISSED'}); with the count: ${spreadText(counted)}`,
      );
    }

    if (startLabel) {
      const skip = perRound(`skip=${skipOffset} (exact count)`, `${startLabel}: skip=${skipOffset} (exact count)`);
      const first = perRound('page 1 (exact count)', `${startLabel}: page 1 (exact count)`);
      console.log(
        `\nthis checkout / ${startLabel}, per round: skip=${skipOffset} ${spreadText(skip)} (goal unchanged or better, ` +
          `≤ ${UNCHANGED}×: ${skip.median <= UNCHANGED ? 'met' : 'MISSED'}); page 1 ${spreadText(first)}`,
      );
    }

    console.log('\nEXPLAIN ANALYZE of the statements the service ran:');
    for (const [label, query] of [
      ['page 1', ''],
      ...(cursor ? [[`page ${DEEP_PAGE} by cursor`, `${cursor}&withTotal=false`]] : []),
      [`skip=${skipOffset}`, `&skip=${skipOffset}`],
    ]) {
      for (const statement of await statementsOf(query)) {
        const kind = /COUNT\(/.test(statement.query) ? 'count' : 'page';
        await explain(db, `${label}: ${kind}`, statement.query, statement.parameters);
      }
    }
  } finally {
    await app.close().catch(() => undefined);
    if (refServer) await stopServer(refServer, 5000);
    await db.end().catch(() => undefined);
    for (const database of benchDatabases) await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
    atRef?.remove();
    console.log(`dropped ${[...benchDatabases].join(', ')}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
