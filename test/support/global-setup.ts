import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, TestDatabase } from './database';

declare global {
  var __TEST_DATABASE__: TestDatabase | undefined;
}

export default async function globalSetup(): Promise<void> {
  const database = await createTestDatabase((message) => process.stdout.write(`\n[test] ${message}\n`));
  globalThis.__TEST_DATABASE__ = database;
  // Workers inherit this environment: every HTTP spec runs against the run's own database.
  process.env.DATABASE_URL = database.url;
  // Through a transaction pooler (scripts/with-pgbouncer.sh): LISTEN goes straight to the server.
  const direct = process.env.TEST_DATABASE_DIRECT_SERVER_URL;
  if (direct) {
    const url = new URL(direct);
    url.pathname = new URL(database.url).pathname;
    process.env.DATABASE_DIRECT_URL = url.toString();
  }
  process.env.DATA_DIR = mkdtempSync(join(tmpdir(), 'licensing-test-data-'));
  process.env.NODE_ENV = 'test';
  process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'error';
  process.env.ADMIN_USERNAME = 'admin';
  process.env.ADMIN_PASSWORD = 'admin-test-password';
  process.env.SWAGGER_ENABLED = 'true';
}
