import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { verifyLicense } from '../verifier/src';
import { TestContext, bearer, createUser, login, startTestApp } from './support/app';
import { TestDatabase, createTestDatabase } from './support/database';
import { createLicense, createProduct, createSignatureKey, createTemplate } from './support/licensing';
import { unusedPort } from './support/ports';
import { ServiceProcess } from './support/service';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'licensing-admin.js');
const VERIFIER = join(ROOT, 'dist', 'verifier', 'src', 'cli.js');

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Every row of `table` as JSON text, in id order: what a restore must give back byte for byte. */
const rowsOf = (url: string, table: string) =>
  query<{ row: string }>(url, `SELECT to_jsonb(t)::text AS row FROM ${table} t ORDER BY id`).then((rows) =>
    rows.map((row) => row.row),
  );

const tableCount = (url: string) =>
  query<{ tables: number }>(
    url,
    `SELECT count(*)::int AS tables FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'`,
  ).then((rows) => rows[0].tables);

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI in a child process, as an operator runs it; `input` is piped to its stdin. */
function cli(args: string[], env: Record<string, string | undefined>, input?: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env } as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** The refusal: exactly one `error:` line on stderr (stage lines such as "database: … connected" may precede it). */
function errorLine(run: CliRun): string {
  const errors = run.stderr.split('\n').filter((line) => line.startsWith('error:'));
  expect(errors).toHaveLength(1);
  return errors[0];
}

describe('Admin CLI (the built command line, in child processes)', () => {
  jest.setTimeout(120_000);
  let database: TestDatabase;
  let ctx: TestContext;
  let env: Record<string, string | undefined>;
  const savedUrl = process.env.DATABASE_URL;

  beforeAll(async () => {
    // The spec runs what an operator runs: the compiled CLI, rebuilt where a source changed.
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'ignore' });
    database = await createTestDatabase();
    process.env.DATABASE_URL = database.url;
    ctx = await startTestApp();
    env = { DATABASE_URL: database.url, DATA_DIR: process.env.DATA_DIR };
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    process.env.DATABASE_URL = savedUrl;
    await database?.drop();
  });

  it('--help lists the commands; an unknown command is one line on stderr and exit code 1', async () => {
    const help = await cli(['--help'], env);
    expect(help.code).toBe(0);
    for (const command of [
      'reset-password',
      'create-api-key',
      'products',
      'public-keys',
      'migrate',
      'backup',
      'restore',
    ])
      expect(help.stdout).toContain(command);
    const unknown = await cli(['frobnicate'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("error: unknown command 'frobnicate'\n");
  });

  it('reset-password --password-stdin: the new password logs in through the API and lifts a lockout', async () => {
    const user = await createUser(ctx, ['LicenseManager'], 'the-old-password');
    for (let attempt = 0; attempt < 5; attempt++)
      await ctx.http.post('/v1/auth/login').send({ userName: user.userName, password: 'wrong-password' });
    const locked = await ctx.http
      .post('/v1/auth/login')
      .send({ userName: user.userName, password: 'the-old-password' });
    expect(locked.body.code).toBe(202);

    const password = 'a-new-password-from-stdin';
    const run = await cli(['reset-password', user.userName.toUpperCase(), '--password-stdin'], env, `${password}\n`);
    expect(run).toMatchObject({ code: 0, stdout: '' });
    expect(run.stderr).toContain(`password of "${user.userName}" reset`);
    expect(run.stderr).not.toContain(password);

    const token = await login(ctx.http, user.userName, password);
    await ctx.http.get('/v1/licenses').set(bearer(token)).expect(200);
    const old = await ctx.http.post('/v1/auth/login').send({ userName: user.userName, password: 'the-old-password' });
    expect(old.status).toBe(401);
    // The audit trail names the CLI, and holds no password hash.
    const [event] = await query<{ actor_type: string; actor_name: string; changes: string }>(
      database.url,
      `SELECT actor_type, actor_name, changes::text FROM audit_events
        WHERE entity_type = 'user' AND entity_id = '${user.id}' AND action LIKE '%updated' ORDER BY id DESC LIMIT 1`,
    );
    expect(event).toMatchObject({ actor_type: 'system', actor_name: expect.stringMatching(/^admin CLI/) });
    expect(event.changes).not.toMatch(/argon2/);
  });

  it('reset-password --generate prints a new password once, which logs in', async () => {
    const user = await createUser(ctx, [], 'before-generate');
    const run = await cli(['reset-password', user.userName, '--generate'], env);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    await login(ctx.http, user.userName, lines[0]);
  });

  it('reset-password refuses an unknown user and a short password, changing nothing', async () => {
    const unknown = await cli(['reset-password', 'nobody-here', '--password-stdin'], env, 'long-enough-password\n');
    expect(unknown.code).toBe(1);
    expect(errorLine(unknown)).toBe('error: User "nobody-here" does not exist');

    const user = await createUser(ctx, [], 'kept-password');
    const short = await cli(['reset-password', user.userName, '--password-stdin'], env, 'short\n');
    expect(short.code).toBe(1);
    expect(errorLine(short)).toBe('error: The password must be 8 to 256 characters, got 5');
    await login(ctx.http, user.userName, 'kept-password');

    const noTerminal = await cli(['reset-password', user.userName], env);
    expect(noTerminal.code).toBe(2);
    expect(errorLine(noTerminal)).toMatch(/^error: no terminal to ask for the password on/);
  });

  it('create-api-key prints a key once that authenticates with the permissions given', async () => {
    const run = await cli(['create-api-key', '--name', 'deploy script', '--permissions', 'read'], env);
    expect(run.code).toBe(0);
    const key = run.stdout.trim();
    expect(run.stdout).toBe(`${key}\n`);
    expect(run.stderr).toMatch(/(^|\n)API key \d+ "deploy script" for admin \(Read\): store it now/);
    expect(run.stderr).not.toContain(key);

    await ctx.http.get('/v1/products').set('x-api-key', key).expect(200);
    const write = await ctx.http
      .post('/v1/products')
      .set('x-api-key', key)
      .send({ product: { name: 'not allowed' } });
    expect(write.status).toBe(403);
    const listed = await ctx.http.get('/v1/api-keys').set(bearer(ctx.adminToken)).expect(200);
    const stored = listed.body.apiKeys.find((apiKey: { name: string }) => apiKey.name === 'deploy script');
    expect(stored).toMatchObject({ permissions: 1 });
    expect(JSON.stringify(listed.body)).not.toContain(key);

    const badOwner = await cli(['create-api-key', '--name', 'x', '--owner', 'nobody-here'], env);
    expect(badOwner.code).toBe(1);
    expect(errorLine(badOwner)).toBe('error: User "nobody-here" does not exist');
    const badBits = await cli(['create-api-key', '--name', 'x', '--permissions', 'fly'], env);
    expect(badBits.code).not.toBe(0);
    expect(errorLine(badBits)).toContain('"fly" is none of read, write, delete, create');
  });

  it('products lists a product with its key id; public-keys prints the PEM that verifies its licenses', async () => {
    const signatureKey = await createSignatureKey(ctx, 'ECDSA');
    const productId = await createProduct(ctx, signatureKey.id);
    const { templateId } = await createTemplate(ctx, { productId, format: 2, licensingMode: 1, expireDays: 30 });
    const license = await createLicense(ctx, { templateId, licenseeName: 'Ada Lovelace' });
    const verifiedBy = verifyLicense(license.licenseKey, signatureKey.publicKeyPem);
    expect(verifiedBy.valid).toBe(true);

    const listed = await cli(['products', '--json'], env);
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    const row = rows.find((candidate) => candidate.productId === productId);
    expect(row).toMatchObject({ resourceId: signatureKey.id, algorithm: 'ECDSA', usedBy: ['licenses', 'product'] });
    const table = await cli(['products'], env);
    expect(table.stdout.split('\n').find((line) => line.startsWith(`${productId} `))).toContain(String(row!.keyId));

    const printed = await cli(['public-keys', String(productId)], env);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
    expect(verifyLicense(license.licenseKey, printed.stdout)).toMatchObject({ valid: true, algorithm: 'ECDSA' });

    const none = await cli(['public-keys', '999999'], env);
    expect(none.code).toBe(1);
    expect(errorLine(none)).toBe('error: Product 999999 does not exist');
  });

  it('migrate status lists every migration as applied; a database without schema is refused with what to do', async () => {
    const status = await cli(['migrate', 'status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).not.toContain('pending');
    expect(status.stdout).toContain('applied  Identity1764300000000');

    const empty = await createTestDatabase();
    try {
      const refused = await cli(['reset-password', 'admin', '--generate'], { ...env, DATABASE_URL: empty.url });
      expect(refused.code).toBe(1);
      expect(errorLine(refused)).toMatch(/^error: the database at .+ has no schema yet: run "migrate run"/);
    } finally {
      await empty.drop();
    }
  });

  describe('backup and restore', () => {
    const folder = mkdtempSync(join(tmpdir(), 'licensing-backup-'));
    const backup = join(folder, 'backup-1');
    let signatureKey: { id: number; publicKeyPem: string };
    let templateId: number;
    let productId: number;
    let license: { licenseKeyId: string; licenseKey: string };
    let restored: TestDatabase;
    let restoredDataDir: string;

    beforeAll(async () => {
      signatureKey = await createSignatureKey(ctx, 'RSA');
      productId = await createProduct(ctx, signatureKey.id);
      ({ templateId } = await createTemplate(ctx, { productId, format: 0, licensingMode: 1, expireDays: 365 }));
      license = await createLicense(ctx, { templateId, licenseeName: 'Grace Hopper', maxAllowedSites: 3 });
      // More rows than one fetch (1000) and one insert (500) of the export and the restore.
      await query(
        database.url,
        `INSERT INTO customers (code, first_name, last_name, company, map_zoom_level, created_at)
         SELECT 'BULK-' || n, 'First ' || n, 'Last ' || n, 'Company ' || n, n / 3.0, now() - n * interval '1 minute'
           FROM generate_series(1, 1234) AS n`,
      );
    });

    afterAll(async () => {
      await restored?.drop();
      rmSync(folder, { recursive: true, force: true });
      if (restoredDataDir) rmSync(restoredDataDir, { recursive: true, force: true });
    });

    it('backup writes the export, a copy of secrets.json and a manifest with the master key fingerprint', async () => {
      const run = await cli(['backup', backup], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${backup}\n`);
      expect(run.stderr).toContain('holds the signing master key: keep it as safe as the data');
      const manifest = JSON.parse(readFileSync(join(backup, 'manifest.json'), 'utf8'));
      const tables = new Map<string, number>(
        manifest.database.tables.map((table: { name: string; rows: number }) => [table.name, table.rows]),
      );
      expect(tables.get('customers')).toBeGreaterThanOrEqual(1234);
      expect(tables.get('licenses')).toBeGreaterThanOrEqual(2);
      const secrets = JSON.parse(readFileSync(join(backup, 'secrets.json'), 'utf8'));
      const current = JSON.parse(readFileSync(join(process.env.DATA_DIR!, 'secrets.json'), 'utf8'));
      expect(secrets).toEqual({ jwtSecret: current.jwtSecret, signingMasterKey: current.signingMasterKey });
      expect(manifest.secrets.signingMasterKeyFingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(manifest)).not.toContain(current.signingMasterKey);

      const again = await cli(['backup', backup], env);
      expect(again.code).toBe(2);
      expect(errorLine(again)).toBe(`error: ${backup} is not empty: back up into a new folder`);
    });

    it('restore into an empty database: the same rows, the same licenses served, which verify, and new ones signed', async () => {
      restored = await createTestDatabase();
      restoredDataDir = mkdtempSync(join(tmpdir(), 'licensing-restored-data-'));
      const run = await cli(['restore', backup], { DATABASE_URL: restored.url, DATA_DIR: restoredDataDir });
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/restored \d+ rows of \d+ tables from the backup of /);

      const manifest = JSON.parse(readFileSync(join(backup, 'manifest.json'), 'utf8'));
      for (const table of manifest.database.tables as Array<{ name: string; rows: number }>) {
        const [{ rows }] = await query<{ rows: number }>(
          restored.url,
          `SELECT count(*)::int AS rows FROM ${table.name}`,
        );
        expect({ table: table.name, rows }).toEqual({ table: table.name, rows: table.rows });
      }
      for (const table of ['licenses', 'resources', 'license_templates', 'users', 'api_keys'])
        expect(await rowsOf(restored.url, table)).toEqual(await rowsOf(database.url, table));
      const customers = await rowsOf(restored.url, 'customers');
      expect(customers.length).toBeGreaterThanOrEqual(1234);
      expect(customers).toEqual(await rowsOf(database.url, 'customers'));
      const installed = JSON.parse(readFileSync(join(restoredDataDir, 'secrets.json'), 'utf8'));
      const backedUp = JSON.parse(readFileSync(join(backup, 'secrets.json'), 'utf8'));
      expect(installed).toMatchObject(backedUp);

      // The service on the restored database and data folder.
      const saved = { url: process.env.DATABASE_URL, dataDir: process.env.DATA_DIR };
      process.env.DATABASE_URL = restored.url;
      process.env.DATA_DIR = restoredDataDir;
      let served: TestContext;
      try {
        served = await startTestApp();
      } finally {
        process.env.DATABASE_URL = saved.url;
        process.env.DATA_DIR = saved.dataDir;
      }
      try {
        const listed = await served.http
          .get('/v1/licenses')
          .query({ filter: `LicenseId == "${license.licenseKeyId}"` })
          .set(bearer(served.adminToken))
          .expect(200);
        expect(listed.body.licenses[0].licenseKey).toBe(license.licenseKey);

        // The shipped verifier, with the public key the CLI prints from the restored database.
        const keys = await cli(['public-keys', String(productId)], {
          DATABASE_URL: restored.url,
          DATA_DIR: restoredDataDir,
        });
        expect(keys.code).toBe(0);
        expect(keys.stdout).toBe(`${signatureKey.publicKeyPem.trimEnd()}\n`);
        writeFileSync(join(folder, 'public.pem'), keys.stdout);
        writeFileSync(join(folder, 'restored.lic'), listed.body.licenses[0].licenseKey);
        const verified = await new Promise<{ code: number | null; output: string }>((resolve) => {
          const child = spawn(process.execPath, [VERIFIER, join(folder, 'restored.lic'), join(folder, 'public.pem')]);
          let output = '';
          child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
          child.on('close', (code) => resolve({ code, output }));
        });
        expect(verified.code).toBe(0);
        expect(verified.output).toContain(`license: ${license.licenseKeyId}`);

        // The restored private key signs: the master key in the restored secrets.json decrypts it.
        const fresh = await createLicense(served, { templateId, licenseeName: 'After Restore' });
        expect(verifyLicense(fresh.licenseKey, signatureKey.publicKeyPem)).toMatchObject({ valid: true });
      } finally {
        await served.close();
      }
    });

    it('restore with the wrong secrets, without secrets, or into a database that is not empty is refused and changes nothing', async () => {
      const target = await createTestDatabase();
      const dataDir = mkdtempSync(join(tmpdir(), 'licensing-refused-data-'));
      const targetEnv = { DATABASE_URL: target.url, DATA_DIR: dataDir };
      const existing = JSON.stringify({
        jwtSecret: 'x'.repeat(48),
        signingMasterKey: randomBytes(32).toString('base64'),
      });
      writeFileSync(join(dataDir, 'secrets.json'), existing);
      const wrong = join(folder, 'wrong-secrets.json');
      writeFileSync(
        wrong,
        JSON.stringify({ jwtSecret: 'y'.repeat(48), signingMasterKey: randomBytes(32).toString('base64') }),
      );
      const withoutSecrets = join(folder, 'without-secrets');
      cpSync(backup, withoutSecrets, { recursive: true });
      rmSync(join(withoutSecrets, 'secrets.json'));
      try {
        const refused = await cli(['restore', backup, '--secrets', wrong], targetEnv);
        expect(refused.code).toBe(1);
        expect(errorLine(refused)).toMatch(
          /^error: the secrets file .+wrong-secrets\.json does not match this backup \(master key fingerprint [0-9a-f]{12}…, the backup's [0-9a-f]{12}…\)/,
        );
        const missing = await cli(['restore', withoutSecrets], targetEnv);
        expect(missing.code).toBe(1);
        expect(errorLine(missing)).toMatch(/^error: the backup holds no secrets file/);
        // The right secrets, given apart from the backup, pass that check.
        const apart = await cli(['restore', withoutSecrets, '--secrets', join(backup, 'secrets.json')], {
          ...env,
          DATA_DIR: mkdtempSync(join(tmpdir(), 'licensing-refused-data-')),
        });
        expect(apart.code).toBe(1);
        expect(errorLine(apart)).toMatch(/^error: the database at .+ is not empty \(\d+ tables\)/);

        expect(await tableCount(target.url)).toBe(0);
        expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).toBe(existing);

        const freshDataDir = mkdtempSync(join(tmpdir(), 'licensing-refused-data-'));
        const inFresh = await cli(['restore', backup, '--secrets', wrong], { ...targetEnv, DATA_DIR: freshDataDir });
        expect(inFresh.code).toBe(1);
        expect(existsSync(join(freshDataDir, 'secrets.json'))).toBe(false);
        rmSync(freshDataDir, { recursive: true, force: true });
      } finally {
        await target.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });

    it('the service warns at start when its secrets.json is new but the database holds encrypted keys', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'licensing-new-secrets-'));
      const service = new ServiceProcess({
        DATABASE_URL: restored.url,
        DATA_DIR: dataDir,
        PORT: String(await unusedPort()),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'log',
        SIGNING_MASTER_KEY: undefined,
        JWT_SECRET: undefined,
      });
      try {
        const warning = await service.waitFor(/was created at this start, but the database holds private signing keys/);
        expect(warning).toContain(join(dataDir, 'secrets.json'));
        expect(warning).toContain('put back the secrets.json that was in use');
        await service.waitFor(/listening: /);
      } finally {
        service.interruptGroup();
        await service.exit();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });

  describe('without DATABASE_URL: the embedded PostgreSQL of DATA_DIR', () => {
    const folder = mkdtempSync(join(tmpdir(), 'licensing-cli-embedded-'));
    const postmasterPid = join(folder, 'postgres', 'postmaster.pid');
    let embeddedEnv: Record<string, string | undefined>;
    let service: ServiceProcess | undefined;

    beforeAll(async () => {
      // Under root the embedded PostgreSQL runs as the postgres user, which must reach its folder.
      chmodSync(folder, 0o755);
      embeddedEnv = { DATABASE_URL: undefined, DATA_DIR: folder, EMBEDDED_PG_PORT: String(await unusedPort()) };
    });

    afterAll(async () => {
      if (service && service.child.exitCode === null) {
        service.interruptGroup();
        await service.exit().catch(() => service?.kill9());
      }
      rmSync(folder, { recursive: true, force: true });
    });

    it('a command starts it (initdb on a new folder) and stops it when done', async () => {
      const migrated = await cli(['migrate', 'run'], embeddedEnv);
      expect(migrated.code).toBe(0);
      expect(migrated.stdout).toMatch(/^applied: Identity1764300000000, /);
      expect(migrated.stderr).toMatch(/database: embedded PostgreSQL \d+ on 127\.0\.0\.1:\d+, new \(data in /);
      expect(migrated.stderr).toMatch(/database: embedded PostgreSQL \(pid \d+\) stopped in /);
      expect(existsSync(postmasterPid)).toBe(false);
    });

    it("next to the service running on the folder, it uses the service's server and leaves it running", async () => {
      const port = await unusedPort();
      service = new ServiceProcess({
        ...embeddedEnv,
        PORT: String(port),
        HOST: '127.0.0.1',
        ADMIN_PASSWORD: 'embedded-admin-password',
        LOG_LEVEL: 'log',
      });
      await service.waitFor(/listening: /);
      const postmaster = readFileSync(postmasterPid, 'utf8').split('\n')[0];

      const reset = await cli(['reset-password', 'admin', '--password-stdin'], embeddedEnv, 'reset-next-to-service\n');
      expect(reset.code).toBe(0);
      expect(reset.stderr).toContain("the running service's");
      expect(reset.stderr).not.toMatch(/stopped/);
      expect(readFileSync(postmasterPid, 'utf8').split('\n')[0]).toBe(postmaster);

      const base = `http://127.0.0.1:${port}`;
      const login = await fetch(`${base}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userName: 'admin', password: 'reset-next-to-service' }),
      });
      expect(login.status).toBe(200);
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);

      const backup = await cli(['backup', join(folder, 'backup')], embeddedEnv);
      expect(backup.code).toBe(0);
      expect(existsSync(join(folder, 'backup', 'manifest.json'))).toBe(true);
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    });
  });
});
