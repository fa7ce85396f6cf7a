/** What every benchmark script shares: its PostgreSQL server, command-line numbers, and the service's environment. */

export const SERVER_URL = process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** `--name value` from the command line, or the fallback. */
export function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
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
