import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { verifyLicense } from '../verifier/src';
import { TestContext, bearer, createUser, login, startTestApp } from './support/app';
import { TestDatabase, createTestDatabase } from './support/database';
import { createLicense, createProduct, createSignatureKey, createTemplate } from './support/licensing';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'licensing-admin.js');

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
    for (const command of ['reset-password', 'create-api-key', 'products', 'public-keys', 'migrate'])
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
});
