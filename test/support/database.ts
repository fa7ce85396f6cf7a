import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { EmbeddedPostgresServer } from '../../src/database/embedded-postgres';

/**
 * Each test run gets a database of its own: on the PostgreSQL server named by TEST_DATABASE_SERVER_URL,
 * else the one on 127.0.0.1:5432 when it answers, else an embedded PostgreSQL started for the run.
 */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

const LOCAL_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

async function reachable(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function createOn(serverUrl: string, name: string): Promise<void> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
}

async function dropOn(serverUrl: string, name: string): Promise<void> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export async function createTestDatabase(log: (message: string) => void = () => undefined): Promise<TestDatabase> {
  const name = `licensing_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  // TEST_DATABASE_SERVER_URL=embedded forces the embedded fallback, to test what a bare machine does.
  const configured = process.env.TEST_DATABASE_SERVER_URL;
  const serverUrl =
    configured === 'embedded'
      ? undefined
      : (configured ?? ((await reachable(LOCAL_SERVER)) ? LOCAL_SERVER : undefined));
  if (serverUrl) {
    await createOn(serverUrl, name);
    log(`test database ${name} on ${new URL(serverUrl).host}`);
    return { url: databaseUrl(serverUrl, name), drop: () => dropOn(serverUrl, name) };
  }

  // No server to use: start an embedded one in a temporary folder the postgres user can reach.
  const folder = mkdtempSync(join(tmpdir(), 'licensing-test-pg-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const embedded = new EmbeddedPostgresServer({
    dir: join(folder, 'data'),
    port,
    password: randomBytes(12).toString('hex'),
  });
  chmodSync(folder, 0o755);
  await embedded.start();
  await embedded.createDatabase(name);
  log(`test database ${name} on an embedded PostgreSQL at 127.0.0.1:${port}`);
  return {
    url: embedded.urlFor(name),
    drop: async () => {
      await embedded.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
