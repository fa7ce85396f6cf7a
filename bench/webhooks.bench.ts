/**
 * What a subscribed webhook adds to a licensing call: POST /v1/license/activate (a new machine each time, so every
 * call takes a seat, issues a node-locked license and records a license.activated audit event) with no webhook
 * enabled, against the same with one webhook subscribed to every event ("*"), in alternating rounds
 * (bench/rounds.ts). With the webhook on, each activation also writes an outbox row in its transaction, and the
 * service relays it to a delivery row and a pg-boss job and POSTs it, signed, to a receiver (a child process of its
 * own answering 204) while the load runs. After a subscribed round the bench waits until every delivery of that round
 * succeeded, so that the next round starts on an idle queue, and prints how long that took.
 *
 *   npx ts-node --transpile-only bench/webhooks.bench.ts [--quick] [--seconds 10] [--rounds 4] [--connections 16]
 *
 * Needs PostgreSQL on 127.0.0.1:5432 (user postgres, or BENCH_DATABASE_SERVER_URL); creates its own database and drops
 * it at the end. The service runs from the sources under ts-node, in production mode with
 * WEBHOOK_ALLOW_PRIVATE_NETWORKS=true (the receiver is on loopback). Information only: no goal.
 */
import { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createApp } from '../src/bootstrap';
import { Load, hammer, loadRow } from './http-load';
import { alternate, describePlan, printLoads, ratios, roundPlan, spreadText } from './rounds';
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
/** Activations spread over this many licenses: one license's activations queue on its row lock. */
const LICENSES = 64;
/** A backlog that does not drain within this is a fault of the queue, not a figure. */
const DRAIN_LIMIT_MS = 180_000;

async function serveApp(): Promise<void> {
  const app = await createApp({ logger: ['error', 'fatal'] });
  await app.listen(0, '127.0.0.1');
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stop') void app.close().then(() => process.exit(0));
  });
  process.send!({ type: 'listening', port: (app.getHttpServer().address() as AddressInfo).port });
}

function serveReceiver(): void {
  let received = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received++;
      response.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () =>
    process.send!({ type: 'listening', port: (server.address() as AddressInfo).port }),
  );
  process.on('message', (message: { type: string }) => {
    if (message.type === 'count') process.send!({ type: 'count', received });
    if (message.type === 'stop') server.close(() => process.exit(0));
  });
}

function start(role: 'app' | 'receiver', env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  return listening(forkRole(__filename, role, env), role);
}

const stop = (child: ChildProcess) => stopServer(child, 15_000);

async function main(): Promise<void> {
  const plan = roundPlan({ rounds: 4 });
  const connections = argument('connections', 16);
  const dataDir = mkdtempSync(join(tmpdir(), 'licensing-bench-'));
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  const name = await createBenchDatabase(admin);
  const [{ server_version: version }] = (await admin.query('SHOW server_version')).rows;
  console.log(
    `database ${name} (PostgreSQL ${version}), ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`,
  );
  const env: NodeJS.ProcessEnv = {
    ...serviceEnvironment(name, dataDir, POOL_SIZE),
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_POLL_SECONDS: '1',
  };
  const children: ChildProcess[] = [];
  const db = new Client({ connectionString: env.DATABASE_URL });
  try {
    const app = await start('app', env);
    children.push(app.child);
    const receiver = await start('receiver', env);
    children.push(receiver.child);
    await db.connect();
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
        ],
      },
      token,
      'PUT',
    );
    const { resourceId } = await call('/v1/resources', { resource: { name: 'bench key', type: 'Ed25519' } }, token);
    const userKeys: string[] = [];
    for (let i = 0; i < LICENSES; i++) {
      const license = await call(
        '/v1/licenses',
        {
          license: {
            signatureKeysId: resourceId,
            licensingMode: 1,
            maxAllowedSites: 1_000_000,
            licenseeName: 'Bench Licensee',
            product: { name: 'Suite', version: '1.0' },
          },
        },
        token,
      );
      userKeys.push(license.userKey as string);
    }
    const { webhookId } = await call(
      '/v1/webhooks',
      { webhook: { url: `http://127.0.0.1:${receiver.port}/hook`, events: ['*'], enabled: false } },
      token,
    );
    const setEnabled = (enabled: boolean) =>
      call('/v1/webhooks', { webhook: { id: webhookId, enabled } }, token, 'PUT');
    const received = () =>
      new Promise<number>((resolve) => {
        const listener = (message: { type: string; received?: number }) => {
          if (message.type !== 'count') return;
          receiver.child.off('message', listener);
          resolve(message.received!);
        };
        receiver.child.on('message', listener);
        receiver.child.send({ type: 'count' });
      });
    /** Waits until the outbox is empty and no delivery is pending; answers the seconds it took. */
    const drain = async (): Promise<number> => {
      const started = performance.now();
      for (;;) {
        const {
          rows: [state],
        } = await db.query(
          `SELECT (SELECT count(*) FROM webhook_outbox)::int AS outbox,
                  (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending')::int AS pending,
                  (SELECT count(*) FROM webhook_deliveries WHERE status = 'failed')::int AS failed`,
        );
        if (state.failed > 0) throw new Error(`${state.failed} deliveries failed`);
        if (state.outbox === 0 && state.pending === 0) return (performance.now() - started) / 1000;
        if (performance.now() - started > DRAIN_LIMIT_MS)
          throw new Error(
            `${state.outbox} events and ${state.pending} deliveries still waiting after ${DRAIN_LIMIT_MS / 1000} s`,
          );
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    console.log(`seeded ${LICENSES} activation licenses (Ed25519); webhook ${webhookId} subscribed to "*"`);

    let machine = 0;
    const request = {
      method: 'POST',
      path: () => '/v1/license/activate',
      body: () => ({ userKey: userKeys[machine % LICENSES], machineId: `bench-machine-${machine++}` }),
    };
    const targets = ['no webhook', 'webhook subscribed'] as const;
    console.log(
      `\nautocannon: ${connections} connections, POST /v1/license/activate on a new machine each time, ${describePlan(plan, targets)}`,
    );
    const drains: string[] = [];
    const rounds = await alternate<Load>(
      plan,
      targets,
      async (target, seconds) => {
        const subscribed = target === 'webhook subscribed';
        await setEnabled(subscribed);
        const before = await received();
        const load = await hammer({
          port: app.port,
          server: app.child,
          database: { admin, name },
          request,
          seconds,
          connections,
        });
        if (subscribed) {
          const took = await drain();
          drains.push(
            `${load.requests} activations: ${(await received()) - before} deliveries received, the queue empty ${took.toFixed(1)} s after the load`,
          );
        }
        return load;
      },
      (round, index) =>
        console.log(
          `round ${index + 1}: ${targets
            .map((target) => `${target} ${round.results[target].perSecond.toFixed(0)}/s`)
            .join(', ')}`,
        ),
    );
    console.log('');
    for (const target of targets)
      console.log(
        loadRow(
          target.padEnd(19),
          rounds.map((round) => round.results[target]),
        ),
      );
    const throughput = ratios(rounds, (load) => load.perSecond, 'webhook subscribed', 'no webhook');
    const p99 = ratios(rounds, (load) => load.p99, 'webhook subscribed', 'no webhook');
    const cpu = ratios(rounds, (load) => load.serverCpu, 'webhook subscribed', 'no webhook');
    const pgCpu = ratios(rounds, (load) => load.postgresCpu, 'webhook subscribed', 'no webhook');
    console.log(
      `\nsubscribed / none: throughput ${spreadText(throughput)}, p99 ${spreadText(p99)}, server CPU per call ${spreadText(cpu)}, PostgreSQL CPU per call ${spreadText(pgCpu)}`,
    );
    for (const line of drains) console.log(`  ${line}`);
    printLoads(rounds);
    const errors = rounds.reduce(
      (sum, round) => sum + targets.reduce((total, target) => total + round.results[target].errors, 0),
      0,
    );
    if (errors) throw new Error(`${errors} requests failed`);
  } finally {
    await db.end().catch(() => undefined);
    for (const child of children.reverse()) await stop(child).catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const role = process.argv[2];
if (role === 'app') void serveApp();
else if (role === 'receiver') serveReceiver();
else
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
