import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, MigrationInterface } from 'typeorm';
import { ALL_MIGRATIONS } from '../migrations';
import { loadConfiguration } from '../src/config';
import { dataSourceOptions } from '../src/database/data-source-options';

const MIGRATIONS_DIR = join(__dirname, '..', 'migrations');
const SRC_DIR = join(__dirname, '..', 'src');
const MIGRATION_FILE = /^(\d{13})-[a-z0-9]+(-[a-z0-9]+)*\.ts$/;

type MigrationClass = new () => MigrationInterface;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe('migrations/index.ts', () => {
  const files = readdirSync(MIGRATIONS_DIR).filter((file) => file !== 'index.ts' && file.endsWith('.ts'));

  it('names its files <13-digit timestamp>-<kebab-name>.ts', () => {
    expect(files.filter((file) => !MIGRATION_FILE.test(file))).toEqual([]);
  });

  it('lists every migration file, oldest first, each once, under its timestamp', () => {
    const byFile = files
      .map((file) => {
        const exported = Object.values(require(join(MIGRATIONS_DIR, file)) as Record<string, unknown>);
        expect({ file, classes: exported.length }).toEqual({ file, classes: 1 });
        return { file, timestamp: MIGRATION_FILE.exec(file)![1], migration: exported[0] as MigrationClass };
      })
      .sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    expect(new Set(byFile.map((entry) => entry.timestamp)).size).toBe(byFile.length);
    // The class and TypeORM's `name` (what the migrations table records) end in the file's timestamp.
    for (const { file, timestamp, migration } of byFile) {
      expect({ file, class: migration.name, name: new migration().name }).toEqual({
        file,
        class: expect.stringMatching(new RegExp(`^[A-Z][A-Za-z0-9]*${timestamp}$`)),
        name: migration.name,
      });
    }
    expect(ALL_MIGRATIONS.map((migration) => migration.name)).toEqual(byFile.map((entry) => entry.migration.name));
    expect(ALL_MIGRATIONS).toEqual(byFile.map((entry) => entry.migration));
  });
});

/**
 * What `npm run migration:generate` would write on a migrated database: the difference between every entity file
 * and the schema the migrations make. Only TypeORM's fixed join-table statements (README, "Running against an
 * external PostgreSQL") may remain; anything else means an entity and a migration disagree.
 */
describe('migration:generate on a migrated database', () => {
  let dataSource: DataSource;
  beforeAll(async () => {
    // The entities the CLI loads by its glob (src/**/*.entity.*), here as classes.
    const entityFiles = filesUnder(SRC_DIR).filter((file) => file.endsWith('.entity.ts'));
    const entities = entityFiles.flatMap((file) =>
      Object.values(require(file) as Record<string, unknown>).filter((value) => typeof value === 'function'),
    ) as Function[];
    expect(entities.length).toBeGreaterThanOrEqual(entityFiles.length);
    dataSource = new DataSource(dataSourceOptions(loadConfiguration(), process.env.DATABASE_URL!, entities));
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
  });
  afterAll(() => dataSource?.destroy());

  it('has an entity for every table the migrations create (the generator never proposes dropping a table)', async () => {
    const tables: Array<{ name: string }> = await dataSource.query(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    const mapped = dataSource.entityMetadatas.map((metadata) => metadata.tableName);
    expect(tables.map((table) => table.name).filter((name) => name !== 'migrations' && !mapped.includes(name))).toEqual(
      [],
    );
  });

  it('proposes only the 4 documented join-table statements', async () => {
    const { upQueries } = await dataSource.driver.createSchemaBuilder().log();
    const statements = upQueries.map((query) => query.query.replace(/\s+/g, ' ').trim()).sort();
    expect(statements).toEqual(
      [
        'ALTER TABLE "user_roles" DROP CONSTRAINT "user_roles_role_id_fkey"',
        'ALTER TABLE "user_roles" ADD CONSTRAINT "user_roles_role_id_fkey" FOREIGN KEY ("role_id") REFERENCES "roles"("id") ON DELETE CASCADE ON UPDATE CASCADE',
        'CREATE INDEX "release_assemblies_release_id_idx" ON "release_assemblies" ("release_id")',
        'CREATE INDEX "user_roles_user_id_idx" ON "user_roles" ("user_id")',
      ].sort(),
    );
  });
});
