import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';

/** Every entity file of the build, for the schema difference `generate` needs. */
export const ENTITY_FILES = [join(__dirname, '..', '**', '*.entity.js')];

/** Applies the pending migrations, each in its own transaction; answers a line saying what happened. */
export async function runPendingMigrations(dataSource: DataSource): Promise<string> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'no pending migrations';
}

/** Undoes the last applied migration. */
export async function revertLastMigration(dataSource: DataSource): Promise<string> {
  const [last] = await dataSource.query<Array<{ name: string }>>(
    `SELECT name FROM ${dataSource.driver.escape('migrations')} ORDER BY id DESC LIMIT 1`,
  );
  if (!last) return 'no migration to revert';
  await dataSource.undoLastMigration({ transaction: 'each' });
  return `reverted: ${last.name}`;
}

/** Applied and pending migrations, oldest first. */
export async function migrationStatus(dataSource: DataSource): Promise<Array<{ name: string; applied: boolean }>> {
  const exists = await dataSource.query<Array<{ found: boolean }>>(
    `SELECT to_regclass('migrations') IS NOT NULL AS found`,
  );
  const applied = new Set(
    exists[0].found
      ? (await dataSource.query<Array<{ name: string }>>('SELECT name FROM migrations')).map((row) => row.name)
      : [],
  );
  return dataSource.migrations.map((migration) => ({
    name: migration.name ?? migration.constructor.name,
    applied: applied.has(migration.name ?? migration.constructor.name),
  }));
}

/**
 * Writes migrations/<timestamp>-<name>.ts from the difference between the entities and the migrated schema.
 * Answers the lines to print; nothing is written when the schema already matches.
 */
export async function generateMigration(dataSource: DataSource, name: string, folder: string): Promise<string[]> {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name))
    throw new Error('generate needs a PascalCase name, e.g. generate AddLicenseIndexes');
  await dataSource.runMigrations({ transaction: 'each' });
  const sql = await dataSource.driver.createSchemaBuilder().log();
  if (!sql.upQueries.length) return ['the schema already matches the entities; nothing to generate'];
  const timestamp = Date.now();
  const quote = (query: string) => '`' + query.replace(/`/g, '\\`') + '`';
  const file = join(folder, `${timestamp}-${name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}.ts`);
  writeFileSync(
    file,
    `import { MigrationInterface, QueryRunner } from 'typeorm';\n\nexport class ${name}${timestamp} implements MigrationInterface {\n  name = '${name}${timestamp}';\n\n` +
      `  async up(db: QueryRunner): Promise<void> {\n${sql.upQueries.map((q) => `    await db.query(${quote(q.query)});`).join('\n')}\n  }\n\n` +
      `  async down(db: QueryRunner): Promise<void> {\n${sql.downQueries
        .reverse()
        .map((q) => `    await db.query(${quote(q.query)});`)
        .join('\n')}\n  }\n}\n`,
  );
  const lines = [`wrote ${file}: review it, then add ${name}${timestamp} to migrations/index.ts`];
  // The entities declare what the hand-written migrations create; on an up-to-date schema TypeORM still proposes
  // its join-table conventions (see README, migration:generate): those lines must not be kept.
  const drops = sql.upQueries.filter((query) => /^\s*(DROP|ALTER TABLE \S+ DROP CONSTRAINT)/i.test(query.query)).length;
  if (drops)
    lines.push(
      `warning: ${drops} statements drop constraints or indexes; delete those that only rename what the hand-written migrations made`,
    );
  return lines;
}
