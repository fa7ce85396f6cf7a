import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The whole configuration, read once from the environment and validated. Nothing else in the code
 * reads process.env: everything takes this object (injected as AppConfig).
 */
export interface AppConfig {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  publicUrl: string | undefined;
  dataDir: string;
  database: {
    url: string | undefined;
    /** A connection to PostgreSQL itself when DATABASE_URL goes through a transaction pooler: for LISTEN. */
    directUrl: string | undefined;
    /** Hot-path statements are prepared once per connection under a name (off behind PgBouncer < 1.21). */
    namedStatements: boolean;
    poolSize: number;
    embedded: { dir: string; port: number; password: string };
    runMigrations: boolean;
    logQueries: boolean;
  };
  auth: {
    jwtSecret: string;
    jwtTtlSeconds: number;
    maxFailedLogins: number;
    lockoutSeconds: number;
    /** Failed logins one client address may make per window before it is answered 429. */
    addressMaxFailures: number;
    addressWindowSeconds: number;
    /** Password hashes computed at once (argon2 takes a core each), and logins that may wait for one. */
    passwordHashConcurrency: number;
    passwordHashQueue: number;
    /** How long a resolved caller (API key or user) may be reused without a query; 0 turns the cache off. */
    principalCacheSeconds: number;
  };
  admin: { userName: string; password: string | undefined; email: string };
  signingMasterKey: Buffer;
  http: {
    bodyLimitBytes: number;
    swaggerEnabled: boolean;
    trustProxy: boolean;
    maxHeaderBytes: number;
    /** A connection with no traffic either way for this long is closed. */
    connectionTimeoutSeconds: number;
    /** Time a client has to send all request headers, and the whole request. */
    headersTimeoutSeconds: number;
    requestTimeoutSeconds: number;
    /** On SIGINT/SIGTERM, the longest wait for the requests in flight before their connections are closed. */
    shutdownGraceSeconds: number;
  };
  redisUrl: string | undefined;
  /** How long the answer to a request with an Idempotency-Key is kept for repeats. */
  idempotencyTtlHours: number;
  webhooks: {
    /** The first retry waits this long, each next one twice as long as the one before. */
    retryBaseSeconds: number;
    /** Attempts after the first before a delivery is failed. */
    retryCount: number;
    /** Failed deliveries in a row after which a webhook is disabled. */
    disableAfterFailures: number;
    /** Loopback, private and link-local receivers are accepted (refused by default in production). */
    allowPrivateNetworks: boolean;
    /** How often each instance moves committed events into the queue and asks the queue for deliveries. */
    pollSeconds: number;
  };
  /** SETTINGS__<GROUP>__<NAME> variables: defaults for application settings, validated by the settings module. */
  settingDefaults: Record<string, string>;
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  /** json: one JSON object per line (for log shippers); pretty: readable lines, coloured on a terminal. */
  logFormat: 'json' | 'pretty';
  /** When set, GET /metrics answers only a caller sending it as a Bearer token. */
  metricsToken: string | undefined;
}

export class ConfigurationError extends Error {}

type Env = Record<string, string | undefined>;

/** Every variable, its default and what it does; `.env.example` and the README are written from this. */
export const CONFIG_VARIABLES: Array<{ name: string; default: string; description: string }> = [
  { name: 'NODE_ENV', default: 'development', description: 'development, production or test' },
  { name: 'HOST', default: '0.0.0.0', description: 'Interface the HTTP server listens on' },
  { name: 'PORT', default: '3000', description: 'HTTP port' },
  { name: 'PUBLIC_URL', default: '', description: 'Base URL printed at start (defaults to http://localhost:PORT)' },
  { name: 'DATA_DIR', default: '.data', description: 'Folder for the embedded database and generated local secrets' },
  {
    name: 'DATABASE_URL',
    default: '',
    description: 'postgres://user:pass@host:port/db; empty starts the embedded PostgreSQL',
  },
  {
    name: 'DATABASE_DIRECT_URL',
    default: '',
    description:
      'postgres://… straight to PostgreSQL when DATABASE_URL goes through a transaction pooler (PgBouncer): the principal cache LISTENs on it',
  },
  {
    name: 'DATABASE_NAMED_STATEMENTS',
    default: 'true',
    description:
      'Prepare hot-path statements once per connection; false behind PgBouncer older than 1.21 in transaction mode',
  },
  { name: 'DATABASE_POOL_SIZE', default: '10', description: 'Connections in the pool (1-200)' },
  { name: 'DATABASE_LOG_QUERIES', default: 'false', description: 'Log every SQL statement' },
  { name: 'EMBEDDED_PG_DIR', default: '<DATA_DIR>/postgres', description: 'Data folder of the embedded PostgreSQL' },
  { name: 'EMBEDDED_PG_PORT', default: '54329', description: 'Port of the embedded PostgreSQL (loopback only)' },
  { name: 'RUN_MIGRATIONS', default: 'true', description: 'Apply pending migrations at start' },
  {
    name: 'JWT_SECRET',
    default: '(generated into DATA_DIR/secrets.json)',
    description: 'HS256 secret for login tokens, at least 32 characters',
  },
  { name: 'JWT_TTL_SECONDS', default: '1800', description: 'Lifetime of a login token (60-86400)' },
  { name: 'LOGIN_MAX_FAILURES', default: '5', description: 'Failed logins before the account is locked' },
  { name: 'LOGIN_LOCKOUT_SECONDS', default: '300', description: 'How long a locked account stays locked' },
  {
    name: 'LOGIN_ADDRESS_MAX_FAILURES',
    default: '50',
    description: 'Failed logins one client address may make within the window before it is answered 429 (1-100000)',
  },
  {
    name: 'LOGIN_ADDRESS_WINDOW_SECONDS',
    default: '900',
    description: 'Window of LOGIN_ADDRESS_MAX_FAILURES, counted from the first failure (1-86400)',
  },
  {
    name: 'PASSWORD_HASH_CONCURRENCY',
    default: '(number of cores)',
    description: 'Password hashes (argon2id, 64 MiB each) computed at once (1-256)',
  },
  {
    name: 'PASSWORD_HASH_QUEUE',
    default: '(8 per PASSWORD_HASH_CONCURRENCY)',
    description: 'Logins that may wait for a hashing slot; beyond it login answers 503 at once (0-10000)',
  },
  {
    name: 'AUTH_PRINCIPAL_CACHE_SECONDS',
    default: '60',
    description:
      'Longest reuse of a cached API key or user lookup (0-3600, 0 turns the cache off); changes reach every instance at once through PostgreSQL NOTIFY',
  },
  { name: 'ADMIN_USERNAME', default: 'admin', description: 'User name of the administrator created on first start' },
  { name: 'ADMIN_PASSWORD', default: '(generated and printed once)', description: 'Password of that administrator' },
  { name: 'ADMIN_EMAIL', default: 'admin@localhost', description: 'Email of that administrator' },
  {
    name: 'SIGNING_MASTER_KEY',
    default: '(generated into DATA_DIR/secrets.json)',
    description: 'Base64 of 32 bytes; encrypts signature private keys at rest (AES-256-GCM)',
  },
  { name: 'BODY_LIMIT_BYTES', default: '10485760', description: 'Largest accepted request body' },
  {
    name: 'HTTP_MAX_HEADER_BYTES',
    default: '16384',
    description: 'Largest request header block (431 above; 1024-1048576)',
  },
  {
    name: 'HTTP_HEADERS_TIMEOUT_SECONDS',
    default: '20',
    description: 'Time a client has to send all request headers; slower ones get 408 and are closed (1-600)',
  },
  {
    name: 'HTTP_REQUEST_TIMEOUT_SECONDS',
    default: '120',
    description: 'Time a client has to send the whole request, body included (1-3600, at least the headers timeout)',
  },
  {
    name: 'SHUTDOWN_GRACE_SECONDS',
    default: '10',
    description:
      'On SIGINT or SIGTERM, the longest wait for requests in flight before their connections are closed (0-600)',
  },
  {
    name: 'HTTP_CONNECTION_TIMEOUT_SECONDS',
    default: '120',
    description: 'A connection with no traffic either way for this long is closed (1-3600)',
  },
  {
    name: 'SWAGGER_ENABLED',
    default: 'true',
    description: 'Serve Swagger UI at /swagger and the document at /swagger-json',
  },
  { name: 'TRUST_PROXY', default: 'false', description: 'Take the client address from X-Forwarded-For' },
  {
    name: 'REDIS_URL',
    default: '',
    description: 'redis://host:port; shares the licensing rate limits and failed-login counts across instances',
  },
  {
    name: 'IDEMPOTENCY_TTL_HOURS',
    default: '24',
    description: 'Hours the answer to a request with an Idempotency-Key is kept and replayed to repeats (1-720)',
  },
  {
    name: 'WEBHOOK_RETRY_BASE_SECONDS',
    default: '30',
    description:
      'Wait before the first retry of a failed webhook delivery; each next retry waits twice as long (1-86400)',
  },
  {
    name: 'WEBHOOK_RETRY_COUNT',
    default: '8',
    description: 'Retries of a webhook delivery after its first attempt before it is failed (0-20)',
  },
  {
    name: 'WEBHOOK_DISABLE_AFTER_FAILURES',
    default: '10',
    description:
      'Failed deliveries in a row after which a webhook is disabled, with a webhook.disabled audit event (1-1000)',
  },
  {
    name: 'WEBHOOK_ALLOW_PRIVATE_NETWORKS',
    default: 'false in production, else true',
    description:
      'Accept webhook URLs whose host is or resolves to a loopback, private or link-local address (checked at insert and at every delivery)',
  },
  {
    name: 'WEBHOOK_POLL_SECONDS',
    default: '1',
    description: 'How often each instance moves committed events to the delivery queue and polls the queue (1-60)',
  },
  {
    name: 'LOG_LEVEL',
    default: 'log',
    description: 'error, warn, log, debug or verbose; log writes one line per request, error and warn only failed ones',
  },
  {
    name: 'LOG_FORMAT',
    default: 'json in production, else pretty',
    description:
      'json (one JSON object per line on stdout, for log shippers) or pretty (readable; coloured only on a terminal)',
  },
  {
    name: 'METRICS_TOKEN',
    default: '',
    description: 'When set, GET /metrics (Prometheus) answers 401 unless sent Authorization: Bearer <token>',
  },
  {
    name: 'SETTINGS__<GROUP>__<NAME>',
    default: '',
    description:
      'Default of an application setting, e.g. SETTINGS__EMAIL__SMTPHOST=mailpit; values saved with PUT /v1/settings take precedence',
  },
];

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigurationError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new ConfigurationError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new ConfigurationError(`${name} must be true or false, got "${env[name]}"`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!allowed.includes(raw as T))
    throw new ConfigurationError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function optionalUrl(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigurationError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(url.protocol))
    throw new ConfigurationError(`${name} must start with ${protocols.join(' or ')}`);
  return raw;
}

interface LocalSecrets {
  jwtSecret: string;
  signingMasterKey: string;
  embeddedPgPassword: string;
}

/**
 * Secrets that a fresh install must have but nobody configured: generated once into the data folder
 * (mode 0600) so that restarts keep tokens, encrypted keys and the embedded database usable.
 */
function loadLocalSecrets(dataDir: string): LocalSecrets {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets;
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  const secrets: LocalSecrets = {
    jwtSecret: randomBytes(48).toString('base64url'),
    signingMasterKey: randomBytes(32).toString('base64'),
    embeddedPgPassword: randomBytes(24).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

function metricsToken(env: Env): string | undefined {
  const token = env.METRICS_TOKEN?.trim();
  if (!token) return undefined;
  if (token.length < 16 || !/^[\x21-\x7e]+$/.test(token))
    throw new ConfigurationError('METRICS_TOKEN must be at least 16 visible ASCII characters (no spaces)');
  return token;
}

export function loadConfiguration(env: Env = process.env): AppConfig {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const dataDir = resolve(env.DATA_DIR || '.data');
  const databaseUrl = optionalUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);

  let localSecrets: LocalSecrets | undefined;
  const secrets = () => (localSecrets ??= loadLocalSecrets(dataDir));

  const jwtSecret = env.JWT_SECRET || secrets().jwtSecret;
  if (jwtSecret.length < 32) throw new ConfigurationError('JWT_SECRET must be at least 32 characters');

  const masterKeyText = env.SIGNING_MASTER_KEY || secrets().signingMasterKey;
  const signingMasterKey = Buffer.from(masterKeyText, 'base64');
  if (signingMasterKey.length !== 32)
    throw new ConfigurationError('SIGNING_MASTER_KEY must be the base64 encoding of exactly 32 bytes');

  const passwordHashConcurrency = integer(env, 'PASSWORD_HASH_CONCURRENCY', availableParallelism(), 1, 256);
  const headersTimeoutSeconds = integer(env, 'HTTP_HEADERS_TIMEOUT_SECONDS', 20, 1, 600);
  const requestTimeoutSeconds = integer(env, 'HTTP_REQUEST_TIMEOUT_SECONDS', 120, 1, 3600);
  if (headersTimeoutSeconds > requestTimeoutSeconds)
    throw new ConfigurationError(
      `HTTP_HEADERS_TIMEOUT_SECONDS (${headersTimeoutSeconds}) must not exceed HTTP_REQUEST_TIMEOUT_SECONDS (${requestTimeoutSeconds})`,
    );

  const adminPassword = env.ADMIN_PASSWORD || undefined;
  if (adminPassword !== undefined && adminPassword.length < 8)
    throw new ConfigurationError('ADMIN_PASSWORD must be at least 8 characters');

  return {
    env: nodeEnv,
    host: env.HOST || '0.0.0.0',
    port,
    publicUrl: optionalUrl(env, 'PUBLIC_URL', ['http:', 'https:']),
    dataDir,
    database: {
      url: databaseUrl,
      directUrl: optionalUrl(env, 'DATABASE_DIRECT_URL', ['postgres:', 'postgresql:']),
      namedStatements: boolean(env, 'DATABASE_NAMED_STATEMENTS', true),
      poolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
      embedded: {
        dir: resolve(env.EMBEDDED_PG_DIR || join(dataDir, 'postgres')),
        port: integer(env, 'EMBEDDED_PG_PORT', 54329, 1, 65535),
        password: databaseUrl ? '' : secrets().embeddedPgPassword,
      },
      runMigrations: boolean(env, 'RUN_MIGRATIONS', true),
      logQueries: boolean(env, 'DATABASE_LOG_QUERIES', false),
    },
    auth: {
      jwtSecret,
      jwtTtlSeconds: integer(env, 'JWT_TTL_SECONDS', 1800, 60, 86400),
      maxFailedLogins: integer(env, 'LOGIN_MAX_FAILURES', 5, 1, 100),
      lockoutSeconds: integer(env, 'LOGIN_LOCKOUT_SECONDS', 300, 1, 86400),
      addressMaxFailures: integer(env, 'LOGIN_ADDRESS_MAX_FAILURES', 50, 1, 100_000),
      addressWindowSeconds: integer(env, 'LOGIN_ADDRESS_WINDOW_SECONDS', 900, 1, 86400),
      passwordHashConcurrency,
      passwordHashQueue: integer(env, 'PASSWORD_HASH_QUEUE', 8 * passwordHashConcurrency, 0, 10_000),
      principalCacheSeconds: integer(env, 'AUTH_PRINCIPAL_CACHE_SECONDS', 60, 0, 3600),
    },
    admin: {
      userName: env.ADMIN_USERNAME || 'admin',
      password: adminPassword,
      email: env.ADMIN_EMAIL || 'admin@localhost',
    },
    signingMasterKey,
    http: {
      bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 10 * 1024 * 1024, 1024, 512 * 1024 * 1024),
      swaggerEnabled: boolean(env, 'SWAGGER_ENABLED', true),
      trustProxy: boolean(env, 'TRUST_PROXY', false),
      maxHeaderBytes: integer(env, 'HTTP_MAX_HEADER_BYTES', 16384, 1024, 1024 * 1024),
      connectionTimeoutSeconds: integer(env, 'HTTP_CONNECTION_TIMEOUT_SECONDS', 120, 1, 3600),
      headersTimeoutSeconds,
      requestTimeoutSeconds,
      shutdownGraceSeconds: integer(env, 'SHUTDOWN_GRACE_SECONDS', 10, 0, 600),
    },
    redisUrl: optionalUrl(env, 'REDIS_URL', ['redis:', 'rediss:']),
    idempotencyTtlHours: integer(env, 'IDEMPOTENCY_TTL_HOURS', 24, 1, 720),
    webhooks: {
      retryBaseSeconds: integer(env, 'WEBHOOK_RETRY_BASE_SECONDS', 30, 1, 86400),
      retryCount: integer(env, 'WEBHOOK_RETRY_COUNT', 8, 0, 20),
      disableAfterFailures: integer(env, 'WEBHOOK_DISABLE_AFTER_FAILURES', 10, 1, 1000),
      allowPrivateNetworks: boolean(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS', nodeEnv !== 'production'),
      pollSeconds: integer(env, 'WEBHOOK_POLL_SECONDS', 1, 1, 60),
    },
    settingDefaults: Object.fromEntries(
      Object.entries(env).filter(
        ([name, value]) => /^SETTINGS__[^_]+__[^_]+$/i.test(name) && value !== undefined,
      ) as Array<[string, string]>,
    ),
    logLevel: oneOf(env, 'LOG_LEVEL', ['error', 'warn', 'log', 'debug', 'verbose'] as const, 'log'),
    logFormat: oneOf(env, 'LOG_FORMAT', ['json', 'pretty'] as const, nodeEnv === 'production' ? 'json' : 'pretty'),
    metricsToken: metricsToken(env),
  };
}
