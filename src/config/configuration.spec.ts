import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_VARIABLES, ConfigurationError, loadConfiguration } from './configuration';

describe('loadConfiguration', () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'config-spec-'));

  it('applies the documented defaults', () => {
    const config = loadConfiguration({ DATA_DIR: dataDir() });
    expect(config.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.database.embedded.port).toBe(54329);
    expect(config.database).toMatchObject({ poolSize: 10, poolMinimum: 10 });
    expect(loadConfiguration({ DATA_DIR: dataDir(), DATABASE_POOL_SIZE: '4' }).database.poolMinimum).toBe(4);
    expect(loadConfiguration({ DATA_DIR: dataDir(), DATABASE_POOL_MIN: '0' }).database.poolMinimum).toBe(0);
    expect(() => loadConfiguration({ DATA_DIR: dataDir(), DATABASE_POOL_SIZE: '4', DATABASE_POOL_MIN: '5' })).toThrow(
      'DATABASE_POOL_MIN must be between 0 and 4, got 5',
    );
    expect(config.auth).toMatchObject({
      jwtTtlSeconds: 1800,
      maxFailedLogins: 5,
      lockoutSeconds: 300,
      principalCacheSeconds: 60,
      addressMaxFailures: 50,
      addressWindowSeconds: 900,
      passwordHashConcurrency: availableParallelism(),
      passwordHashQueue: 8 * availableParallelism(),
    });
    expect(loadConfiguration({ DATA_DIR: dataDir(), PASSWORD_HASH_CONCURRENCY: '3' }).auth.passwordHashQueue).toBe(24);
    expect(config.signingMasterKey).toHaveLength(32);
    expect(config.http).toMatchObject({
      maxHeaderBytes: 16384,
      headersTimeoutSeconds: 20,
      requestTimeoutSeconds: 120,
      connectionTimeoutSeconds: 120,
    });
  });

  it('generates local secrets once, privately, and reuses them', () => {
    const dir = dataDir();
    const first = loadConfiguration({ DATA_DIR: dir });
    const second = loadConfiguration({ DATA_DIR: dir });
    expect(second.auth.jwtSecret).toBe(first.auth.jwtSecret);
    expect(second.signingMasterKey.equals(first.signingMasterKey)).toBe(true);
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')).embeddedPgPassword).toBe(
      first.database.embedded.password,
    );
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT must be a whole number/],
    [{ PORT: '70000' }, /PORT must be between 0 and 65535/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with postgres:/],
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL is not a valid URL/],
    [{ JWT_SECRET: 'short' }, /JWT_SECRET must be at least 32 characters/],
    [
      { SIGNING_MASTER_KEY: Buffer.alloc(16).toString('base64') },
      /SIGNING_MASTER_KEY must be the base64 encoding of exactly 32 bytes/,
    ],
    [{ RUN_MIGRATIONS: 'maybe' }, /RUN_MIGRATIONS must be true or false/],
    [{ LOG_LEVEL: 'chatty' }, /LOG_LEVEL must be one of/],
    [{ ADMIN_PASSWORD: 'short' }, /ADMIN_PASSWORD must be at least 8 characters/],
    [{ JWT_TTL_SECONDS: '5' }, /JWT_TTL_SECONDS must be between 60 and 86400/],
    [{ AUTH_PRINCIPAL_CACHE_SECONDS: '-1' }, /AUTH_PRINCIPAL_CACHE_SECONDS must be between 0 and 3600/],
    [{ LOGIN_ADDRESS_MAX_FAILURES: '0' }, /LOGIN_ADDRESS_MAX_FAILURES must be between 1 and 100000/],
    [{ LOGIN_ADDRESS_WINDOW_SECONDS: '15m' }, /LOGIN_ADDRESS_WINDOW_SECONDS must be a whole number/],
    [{ PASSWORD_HASH_CONCURRENCY: '0' }, /PASSWORD_HASH_CONCURRENCY must be between 1 and 256/],
    [{ PASSWORD_HASH_QUEUE: '-1' }, /PASSWORD_HASH_QUEUE must be between 0 and 10000/],
    [{ HTTP_HEADERS_TIMEOUT_SECONDS: '0' }, /HTTP_HEADERS_TIMEOUT_SECONDS must be between 1 and 600/],
    [
      { HTTP_HEADERS_TIMEOUT_SECONDS: '60', HTTP_REQUEST_TIMEOUT_SECONDS: '30' },
      /HTTP_HEADERS_TIMEOUT_SECONDS \(60\) must not exceed HTTP_REQUEST_TIMEOUT_SECONDS \(30\)/,
    ],
    [{ HTTP_MAX_HEADER_BYTES: '100' }, /HTTP_MAX_HEADER_BYTES must be between 1024 and 1048576/],
    [{ HTTP_CONNECTION_TIMEOUT_SECONDS: 'soon' }, /HTTP_CONNECTION_TIMEOUT_SECONDS must be a whole number/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => loadConfiguration({ DATA_DIR: dataDir(), ...env })).toThrow(ConfigurationError);
    expect(() => loadConfiguration({ DATA_DIR: dataDir(), ...env })).toThrow(message);
  });

  it('takes an external database and explicit secrets without writing local ones', () => {
    const dir = join(dataDir(), 'unused');
    const config = loadConfiguration({
      DATA_DIR: dir,
      DATABASE_URL: 'postgres://u:p@db:5432/licensing',
      JWT_SECRET: 'x'.repeat(40),
      SIGNING_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    });
    expect(config.database.url).toBe('postgres://u:p@db:5432/licensing');
    expect(() => statSync(dir)).toThrow();
  });

  it('documents every variable in .env.example and the README', () => {
    const root = join(__dirname, '..', '..');
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const { name } of CONFIG_VARIABLES) {
      const literal = name.replace('<GROUP>', 'EMAIL').replace('<NAME>', 'SMTPHOST');
      expect({ name, inExample: example.includes(literal) }).toEqual({ name, inExample: true });
      expect({ name, inReadme: readme.includes(name.split('<')[0]) }).toEqual({ name, inReadme: true });
    }
  });

  it('collects SETTINGS__<GROUP>__<NAME> variables as setting defaults', () => {
    const config = loadConfiguration({
      DATA_DIR: dataDir(),
      SETTINGS__EMAIL__SMTPHOST: 'mailpit',
      SETTINGSX: 'no',
      SETTINGS__BAD: 'no',
    });
    expect(config.settingDefaults).toEqual({ SETTINGS__EMAIL__SMTPHOST: 'mailpit' });
  });
});
