/**
 * The HTTP load the comparison benches put on a server (autocannon), and the CPU each process spent meanwhile: the
 * server, the PostgreSQL backends of the bench's database and the load generator, which on a small machine share
 * the cores.
 */
import { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { processTimes } from './support';

// autocannon ships no type declarations; this is the part of its API the benches use.
interface AutocannonInstance extends PromiseLike<{ duration: number; errors: number; timeouts: number }> {
  on(
    event: 'response',
    listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void,
  ): void;
}
type Autocannon = (options: Record<string, unknown>) => AutocannonInstance;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

/** What one target did in one turn. */
export interface Load {
  requests: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  /** CPU time per request, in microseconds, of the server process, of PostgreSQL, and of the load generator (this process). */
  serverCpu: number;
  postgresCpu: number;
  loadCpu: number;
  /** Read and write system calls of the server process per request (each socket write on loopback runs the TCP stack). */
  serverReads: number;
  serverWrites: number;
  /** How long the load ran, and the response times (ms, sorted; not a connection's first): what combining slices needs. */
  seconds: number;
  latencies: number[];
}

export interface LoadRequest {
  method?: string;
  /** The path of each request (called per request, so that each can name another row). */
  path: () => string;
  headers?: Record<string, string>;
  body?: () => object;
}

/** CPU seconds a process has used so far (user + system), from /proc; NaN where /proc is absent. */
export function cpuSeconds(pid: number | undefined): number {
  return processTimes(pid)?.seconds ?? NaN;
}

/** Read and write system calls a process has made so far, from /proc; NaN where it is absent. */
function systemCalls(pid: number | undefined): { reads: number; writes: number } {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? NaN);
    return { reads: field('syscr'), writes: field('syscw') };
  } catch {
    return { reads: NaN, writes: NaN };
  }
}

/** CPU seconds used so far by each PostgreSQL backend serving the database (the server is local). */
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

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** `connections` keep-alive connections on `port` for `seconds`; non-200 answers count as errors. */
export async function hammer(options: {
  port: number;
  server: ChildProcess;
  database: { admin: Client; name: string };
  request: LoadRequest;
  seconds: number;
  connections: number;
}): Promise<Load> {
  const { request, database } = options;
  const cpuBefore = cpuSeconds(options.server.pid);
  const callsBefore = systemCalls(options.server.pid);
  const postgresBefore = await postgresCpu(database.admin, database.name);
  const loadBefore = process.cpuUsage();
  // The first answer on each connection also waited for the connection to be made: latency figures leave it out
  // (with 1 s slices those 32 answers of a few thousand were the whole top percentile), throughput counts it.
  const latencies: number[] = [];
  const connected = new Set<unknown>();
  let requests = 0;
  let errors = 0;
  const instance = autocannon({
    url: `http://127.0.0.1:${options.port}`,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        method: request.method ?? 'GET',
        headers: { ...(request.body ? { 'content-type': 'application/json' } : {}), ...request.headers },
        setupRequest: (req: object) => ({
          ...req,
          path: request.path(),
          ...(request.body ? { body: JSON.stringify(request.body()) } : {}),
        }),
      },
    ],
  });
  instance.on('response', (client, statusCode, _bytes, responseTime) => {
    requests++;
    if (statusCode !== 200) errors++;
    if (connected.has(client)) latencies.push(responseTime);
    else connected.add(client);
  });
  const result = await instance;
  const load = process.cpuUsage(loadBefore);
  const postgresAfter = await postgresCpu(database.admin, database.name);
  const serverCpu = cpuSeconds(options.server.pid) - cpuBefore;
  const callsAfter = systemCalls(options.server.pid);
  latencies.sort((a, b) => a - b);
  const perRequest = (seconds: number) => (seconds / requests) * 1e6;
  return {
    requests,
    perSecond: requests / result.duration,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: errors + result.errors + result.timeouts,
    serverCpu: perRequest(serverCpu),
    postgresCpu: perRequest(postgresCpuBetween(postgresBefore, postgresAfter)),
    loadCpu: perRequest((load.user + load.system) / 1e6),
    serverReads: (callsAfter.reads - callsBefore.reads) / requests,
    serverWrites: (callsAfter.writes - callsBefore.writes) / requests,
    seconds: result.duration,
    latencies,
  };
}

/** The slices of one turn as one load: throughput over their time, percentiles of all their responses, CPU per request. */
export function combineLoads(parts: Load[]): Load {
  const requests = parts.reduce((sum, part) => sum + part.requests, 0);
  const seconds = parts.reduce((sum, part) => sum + part.seconds, 0);
  const latencies = parts.flatMap((part) => part.latencies).sort((a, b) => a - b);
  const perRequest = (pick: (load: Load) => number) =>
    parts.reduce((sum, part) => sum + pick(part) * part.requests, 0) / requests;
  return {
    requests,
    perSecond: requests / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: parts.reduce((sum, part) => sum + part.errors, 0),
    serverCpu: perRequest((load) => load.serverCpu),
    postgresCpu: perRequest((load) => load.postgresCpu),
    loadCpu: perRequest((load) => load.loadCpu),
    serverReads: perRequest((load) => load.serverReads),
    serverWrites: perRequest((load) => load.serverWrites),
    seconds,
    latencies,
  };
}

/** One line per target: the rounds' medians of each figure. */
export function loadRow(label: string, loads: Load[]): string {
  const median = (pick: (load: Load) => number) => {
    const values = loads.map(pick).sort((a, b) => a - b);
    const middle = Math.floor(values.length / 2);
    return values.length % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
  };
  const total = (pick: (load: Load) => number) => loads.reduce((sum, load) => sum + pick(load), 0);
  const figure = (pick: (load: Load) => number, digits: number, width: number) =>
    median(pick).toFixed(digits).padStart(width);
  return [
    `${label} ${figure((l) => l.perSecond, 0, 6)} req/s`,
    `p50 ${figure((l) => l.p50, 1, 5)} ms`,
    `p99 ${figure((l) => l.p99, 1, 5)} ms`,
    `CPU per request: server ${figure((l) => l.serverCpu, 0, 4)} µs, postgres ${figure((l) => l.postgresCpu, 0, 4)} µs, ` +
      `load generator ${figure((l) => l.loadCpu, 0, 3)} µs`,
    `server system calls per request: ${figure((l) => l.serverReads, 2, 4)} reads, ${figure((l) => l.serverWrites, 2, 4)} writes`,
    `(${total((l) => l.requests)} requests, ${total((l) => l.errors)} errors; medians of ${loads.length} rounds)`,
  ].join('   ');
}
