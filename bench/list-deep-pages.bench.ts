/**
 * Deep pages of GET /v1/licenses on a million licenses, unfiltered: the first page, page 10,000 by cursor and
 * skip=500000 (the same rows, 499,951 to 500,000 in id order), each with and without the count (withTotal=false),
 * one request at a time (the latency of one page, not throughput), the variants interleaved in rounds. Prints the
 * median of each with its range and the load average, the median of the per-round ratio the goal is about, and EXPLAIN
 * ANALYZE of the page statements the service ran (captured from TypeORM's logger).
 *
 *   npx ts-node --transpile-only bench/list-deep-pages.bench.ts [--quick] [--licenses 1000000] [--repeat 31]
 *
 * Goal (issue 12): page 10,000 by cursor within 2× the time of page 1; skip=500000 unchanged or better. Against a
 * service without cursors (an older checkout) the cursor figures are left out. Needs PostgreSQL on 127.0.0.1:5432
 * (or BENCH_DATABASE_SERVER_URL); makes and drops its own database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap';
import { CUSTOMERS, explain, seedLicenses } from './license-seed';
import { QUICK, Spread, spread, spreadText } from './rounds';
import { SERVER_URL, createBenchDatabase, argument, databaseUrl, serviceEnvironment } from './support';

const PAGE = 50;
const DEEP_PAGE = 10_000;

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
  try {
    await app.listen(0, '127.0.0.1');
    await db.connect();
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
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
    const { token } = await call('POST', '/v1/auth/login', {
      userName: 'admin',
      password: process.env.ADMIN_PASSWORD,
    });
    const auth = { authorization: `Bearer ${token}` };
    const { apiKey } = await call('POST', '/v1/api-keys', { apiKey: { name: 'bench', permissions: 1 } }, auth);
    const { resourceId } = await call('POST', '/v1/resources', { resource: { name: 'key', type: 'Ed25519' } }, auth);
    const sample = await call(
      'POST',
      '/v1/licenses',
      { license: { signatureKeysId: resourceId, format: 1, licenseeName: 'Sample', features: [{ name: 'Reports' }] } },
      auth,
    );
    const [{ signing_key_id: signingKeyId }] = (
      await db.query('SELECT signing_key_id FROM licenses WHERE id = $1', [sample.licenseId])
    ).rows;
    await db.query('DELETE FROM licenses');
    console.log(`seeding ${licenses.toLocaleString('en')} licenses over ${CUSTOMERS.toLocaleString('en')} customers`);
    await seedLicenses(db, licenses, sample.licenseKey, resourceId, signingKeyId);

    const list = async (query: string): Promise<{ licenses: Array<{ id: number }>; nextCursor?: string | null }> =>
      call('GET', `/v1/licenses?take=${PAGE}${query}`, undefined, { 'x-api-key': apiKey });
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

    const variants: Array<{ label: string; query: string }> = [
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
    ];
    console.log(
      `\none request at a time, ${repeat} rounds of every variant after a warm-up, the order turning each round; ` +
        `${PAGE} licenses per page, no filter, sort id:`,
    );
    for (const variant of variants) await list(variant.query); // warm: statement cache, plan, buffers
    // Interleaved, as the throughput benches alternate their targets: a GC pause, a log flush or a neighbour's
    // burst falls on every variant alike instead of on one block of samples.
    const samples = new Map<string, number[]>(variants.map((variant) => [variant.label, []]));
    const loads: number[] = [];
    for (let round = 0; round < repeat; round++) {
      loads.push(loadavg()[0]);
      const order = variants.map((_, index) => variants[(index + round) % variants.length]);
      for (const variant of order) {
        const started = process.hrtime.bigint();
        await list(variant.query);
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
    if (cursor) {
      // The ratio within each round, then its median, as bench/rounds.ts takes the throughput ratios.
      const perRound = (over: string, under: string) =>
        spread(samples.get(over)!.map((value, round) => value / samples.get(under)![round]));
      const deep = perRound(variants[3].label, variants[1].label);
      const counted = perRound(variants[2].label, variants[0].label);
      console.log(
        `\npage ${DEEP_PAGE} by cursor / page 1 (both withTotal=false, per round): ${spreadText(deep)} (goal ≤ 2×: ` +
          `${deep.median <= 2 ? 'met' : 'MISSED'}); with the count: ${spreadText(counted)}`,
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
    await db.end().catch(() => undefined);
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
