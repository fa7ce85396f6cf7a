/**
 * What every benchmark script shares: its PostgreSQL server, command-line numbers, the service's environment, and
 * the server processes it forks (each tells its port with a 'listening' message and stops on a 'stop' message).
 */
import { ChildProcess, execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';

export const REPOSITORY = join(__dirname, '..');

export const SERVER_URL = process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** `--name value` from the command line, or the fallback. */
export function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

/**
 * The databases this bench created: the PostgreSQL processes serving them are the bench's own work when
 * bench/rounds.ts tells the CPU the bench used from what other processes took meanwhile.
 */
export const benchDatabases = new Set<string>();

/** Creates a database of the bench's own, with a name no other run uses, on the benchmark server. */
export async function createBenchDatabase(admin: Client): Promise<string> {
  const name = `licensing_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  benchDatabases.add(name);
  return name;
}

/** Jiffies per second in /proc (USER_HZ, 100 on Linux whatever the kernel's own tick). */
export const CLOCK_TICKS = 100;

/**
 * A process's parent and CPU seconds so far from /proc/<pid>/stat: its own (user + system) and its reaped children's;
 * undefined when the process is gone or /proc is absent.
 */
export function processTimes(pid: number | undefined): { parent: number; seconds: number; reaped: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name, which may itself hold ") ".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      parent: Number(fields[1]),
      seconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
      reaped: (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS,
    };
  } catch {
    return undefined;
  }
}

/** The URL of database `name` on the benchmark server. */
export function databaseUrl(name: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** DATABASE_DIRECT_URL for database `name` when the benchmark server is a pooler (scripts/with-pgbouncer.sh). */
function directUrl(name: string): NodeJS.ProcessEnv {
  const direct = process.env.BENCH_DATABASE_DIRECT_SERVER_URL;
  if (!direct) return {};
  const url = new URL(direct);
  url.pathname = `/${name}`;
  return { DATABASE_DIRECT_URL: url.toString() };
}

/** The service as deployed (production mode, console quiet) on the benchmark's own database. */
export function serviceEnvironment(database: string, dataDir: string, poolSize: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl(database),
    ...directUrl(database),
    DATABASE_POOL_SIZE: String(poolSize),
    DATA_DIR: dataDir,
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: 'bench-admin-password',
    LOG_LEVEL: 'error',
    SWAGGER_ENABLED: 'false',
  };
}

/** Runs this bench file again as `role` (ts-node, no type check) in a child process. */
export function forkRole(file: string, role: string, env: NodeJS.ProcessEnv, execArgv: string[] = []): ChildProcess {
  return fork(file, [role], { env, execArgv: ['-r', 'ts-node/register/transpile-only', ...execArgv] });
}

/** Waits for a forked server's port; a server that exits first fails the bench. */
export function listening(child: ChildProcess, label: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${label} exited with ${code}`)));
    child.on('message', (message: { type: string; port?: number }) => {
      if (message.type === 'listening') resolve({ child, port: message.port! });
    });
  });
}

/** Asks a forked server to stop and waits for it, killing it after `killAfterMs`. */
export function stopServer(child: ChildProcess, killAfterMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.removeAllListeners('exit');
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.send({ type: 'stop' });
  });
}

/** The entry a bench forks to serve the application whose bootstrap module is BOOTSTRAP. */
const SERVE_APP = `const { createApp } = require(BOOTSTRAP);
(async () => {
  const app = await createApp({ logger: ['error', 'fatal'] });
  await app.listen(0, '127.0.0.1');
  process.on('message', (message) => { if (message.type === 'stop') void app.close().then(() => process.exit(0)); });
  process.send({ type: 'listening', port: app.getHttpServer().address().port });
})();
`;

/**
 * Compiles the service of the tree at `root` (its own scripts/build.mjs, SWC) into `folder` and writes beside it the
 * entry a bench forks: it listens on a free loopback port, tells it with a 'listening' message and stops on 'stop'.
 */
export function buildService(folder: string, root = REPOSITORY): string {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--out-dir', folder], { stdio: 'inherit' });
  const entry = join(folder, 'serve-app.js');
  writeFileSync(entry, SERVE_APP.replace('BOOTSTRAP', JSON.stringify(join(folder, 'src', 'bootstrap.js'))));
  return entry;
}

/** Forks a service built by buildService; built outside the repository, it finds node_modules through NODE_PATH. */
export function forkBuiltService(entry: string, env: NodeJS.ProcessEnv, execArgv: string[] = []): ChildProcess {
  return fork(entry, [], { env: { ...env, NODE_PATH: join(REPOSITORY, 'node_modules') }, execArgv });
}

/** `--against <ref>`: the commit the bench also measures the service at, beside this checkout's. */
export function againstRef(): string | undefined {
  const index = process.argv.indexOf('--against');
  return index > 0 ? process.argv[index + 1] : undefined;
}

/**
 * The service as it was at `ref` (a commit of this repository), in a temporary folder: its tree comes out of git (git
 * archive), on this checkout's node_modules, which is fine as long as the dependencies were only added to since (they
 * were, from the start of the speed work on). It runs as this checkout's service runs in the same bench: compiled with
 * that commit's own build script, or from its sources under ts-node. The entry listens on a free loopback port, tells
 * it with a 'listening' message and stops on 'stop'; `remove` deletes the folders.
 */
export function serviceAtRef(
  ref: string,
  from: 'build' | 'sources',
): { commit: string; root: string; entry: string; remove: () => void } {
  const commit = execFileSync('git', ['rev-parse', '--short', `${ref}^{commit}`], {
    cwd: REPOSITORY,
    encoding: 'utf8',
  }).trim();
  const root = mkdtempSync(join(tmpdir(), `licensing-bench-${commit}-`));
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${root}"`], { cwd: REPOSITORY, stdio: 'inherit' });
  symlinkSync(join(REPOSITORY, 'node_modules'), join(root, 'node_modules'), 'dir');
  const folder = from === 'build' ? mkdtempSync(join(tmpdir(), `licensing-bench-build-${commit}-`)) : undefined;
  let entry: string;
  if (folder) {
    console.log(`building the service at ${commit} (its scripts/build.mjs) …`);
    entry = buildService(folder, root);
  } else {
    entry = join(root, 'serve-app.js');
    writeFileSync(
      entry,
      `require('ts-node').register({ transpileOnly: true, project: ${JSON.stringify(join(root, 'tsconfig.json'))} });
${SERVE_APP.replace('BOOTSTRAP', JSON.stringify(join(root, 'src', 'bootstrap.ts')))}`,
    );
  }
  return {
    commit,
    root,
    entry,
    remove: () => {
      rmSync(root, { recursive: true, force: true });
      if (folder) rmSync(folder, { recursive: true, force: true });
    },
  };
}
