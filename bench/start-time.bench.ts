/**
 * Time from spawn to ready (`GET /health/ready` answers 200) of three ways to start the service, on the same
 * migrated database, in alternating rounds (bench/rounds.ts) so that whatever else loads the machine weighs on all
 * alike; in each round every variant starts again and again for 10 s, and the round's figure is the median start:
 *
 *   baseline   node dist/src/main.js        the compiled service, nothing else
 *   restart    npm start                    sources unchanged since the last build: no compile
 *   first      npm start after rm -rf dist  what the first start after `npm ci` does: compile everything, then start
 *
 *   npx ts-node --transpile-only bench/start-time.bench.ts [--quick] [--rounds 5] [--seconds 10]
 *
 * Runs on a copy of the build's inputs in a temporary folder (node_modules linked), so that the repository's own
 * dist/ is left alone. Needs PostgreSQL on 127.0.0.1:5432 (user postgres, or BENCH_DATABASE_SERVER_URL); creates its
 * own database and drops it at the end. Goals (medians of the rounds' ratios): restart ≤ 1.5× and first start ≤ 3×
 * the baseline.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  alternate,
  exitWithGoal,
  describePlan,
  printLoads,
  ratios,
  roundConditions,
  roundPlan,
  spread,
  spreadText,
} from './rounds';
import { SERVER_URL, createBenchDatabase, serviceEnvironment } from './support';

const ROOT = join(__dirname, '..');
/** What `npm start` reads: the sources it compiles, the build script and its configuration, package.json. */
const INPUTS = ['src', 'migrations', 'verifier', 'scripts', '.swcrc', 'package.json', 'package-lock.json'];
const GOAL = { restart: 1.5, first: 3 };
const READY_TIMEOUT_MS = 180_000;

type Variant = 'baseline' | 'restart' | 'first';

interface Start {
  /** Seconds from spawn to the first 200 of /health/ready. */
  seconds: number;
  /** The build line `npm start` printed, if any. */
  buildLine?: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function ready(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Stops the child's whole process group (npm, the shell it starts, node) and waits for it to exit. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const group = -child.pid!;
  process.kill(group, 'SIGINT');
  const timer = setTimeout(() => {
    try {
      process.kill(group, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 15_000);
  await exited;
  clearTimeout(timer);
}

/**
 * A port every start of the run can listen on: below the kernel's ephemeral range, which outgoing connections draw
 * their local ports from (a port picked inside it was once taken by one between two starts: EADDRINUSE), and free now.
 */
async function listeningPort(): Promise<number> {
  let ephemeralFrom = 32768;
  try {
    ephemeralFrom = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    // no /proc: Linux's default range
  }
  const low = Math.max(1024, ephemeralFrom - 8000);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = low + Math.floor(Math.random() * Math.max(1, ephemeralFrom - low));
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port found below ${ephemeralFrom}`);
}

async function startOnce(variant: Variant, folder: string, env: NodeJS.ProcessEnv, port: number): Promise<Start> {
  if (variant === 'first') rmSync(join(folder, 'dist'), { recursive: true, force: true });
  const started = process.hrtime.bigint();
  const child =
    variant === 'baseline'
      ? spawn(process.execPath, ['dist/src/main.js'], { cwd: folder, env, detached: true, stdio: 'pipe' })
      : spawn('npm', ['start'], { cwd: folder, env, detached: true, stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    while (!(await ready(port))) {
      if (child.exitCode !== null) throw new Error(`${variant} exited with ${child.exitCode}:\n${output}`);
      if (Number(process.hrtime.bigint() - started) / 1e6 > READY_TIMEOUT_MS)
        throw new Error(`${variant} not ready in ${READY_TIMEOUT_MS / 1000} s:\n${output}`);
      await sleep(20);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { seconds, buildLine: /^build: .*$/m.exec(output)?.[0] };
  } finally {
    await stop(child);
  }
}

/** Starts of one variant, one after the other, until `seconds` have passed (at least one); their median. */
async function startsFor(
  variant: Variant,
  seconds: number,
  folder: string,
  env: NodeJS.ProcessEnv,
  port: number,
): Promise<{ seconds: number; starts: number; buildLine?: string }> {
  const times: number[] = [];
  let buildLine: string | undefined;
  const until = Date.now() + seconds * 1000;
  do {
    const start = await startOnce(variant, folder, env, port);
    times.push(start.seconds);
    buildLine = start.buildLine;
  } while (Date.now() < until);
  return { seconds: spread(times).median, starts: times.length, buildLine };
}

async function main(): Promise<void> {
  const plan = roundPlan({ rounds: 5 });
  const folder = mkdtempSync(join(tmpdir(), 'licensing-start-bench-'));
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  const name = await createBenchDatabase(admin);
  try {
    for (const input of INPUTS) cpSync(join(ROOT, input), join(folder, input), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(folder, 'node_modules'), 'dir');
    const port = await listeningPort();
    const env: NodeJS.ProcessEnv = {
      ...serviceEnvironment(name, join(folder, 'data'), 10),
      // As a newcomer starts it: Swagger served, the console at its default level.
      SWAGGER_ENABLED: 'true',
      LOG_LEVEL: 'log',
      PORT: String(port),
      HOST: '127.0.0.1',
    };
    console.log(`database ${name}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`);
    // Migrates the database and creates the administrator, so that every measured start finds the same database.
    const warmUp = await startOnce('first', folder, env, port);
    console.log(`warm-up (migrations, administrator): ${warmUp.seconds.toFixed(2)} s; ${warmUp.buildLine ?? ''}\n`);

    const variants = ['baseline', 'restart', 'first'] as const;
    console.log(`${describePlan(plan, variants)}; each turn starts its variant again until its time is up`);
    const rounds = await alternate(
      plan,
      variants,
      (variant, seconds) => startsFor(variant as Variant, seconds, folder, env, port),
      (round, index) => {
        const { baseline, restart, first } = round.results;
        console.log(
          `round ${index + 1}: baseline ${baseline.seconds.toFixed(2)} s (${baseline.starts} starts), ` +
            `restart ${restart.seconds.toFixed(2)} s (${(restart.seconds / baseline.seconds).toFixed(2)}×, ${restart.starts} starts; ${restart.buildLine}), ` +
            `first ${first.seconds.toFixed(2)} s (${(first.seconds / baseline.seconds).toFixed(2)}×, ${first.starts} starts; ${first.buildLine}); ` +
            `${roundConditions(round)}`,
        );
      },
    );
    console.log('');
    for (const variant of variants)
      console.log(
        `  ${variant.padEnd(8)}  median ${spreadText(spread(rounds.map((round) => round.results[variant].seconds)), 2, ' s')}`,
      );
    let met = true;
    for (const variant of ['restart', 'first'] as const) {
      const ratio = ratios(rounds, (result) => result.seconds, variant, 'baseline');
      const ok = ratio.median <= GOAL[variant];
      met &&= ok;
      console.log(`  ${variant} / baseline: ${spreadText(ratio)} (goal ≤ ${GOAL[variant]}×) ${ok ? 'met' : 'MISSED'}`);
    }
    printLoads(rounds);
    console.log(
      `\ngoal: restart ≤ ${GOAL.restart}×, first start ≤ ${GOAL.first}× the baseline: ${met ? 'met' : 'MISSED'}`,
    );
    exitWithGoal(met);
  } finally {
    rmSync(folder, { recursive: true, force: true });
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
