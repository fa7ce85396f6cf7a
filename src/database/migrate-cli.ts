/**
 * Migration commands without starting the HTTP server:
 *   node dist/src/database/migrate-cli.js run            apply pending migrations
 *   node dist/src/database/migrate-cli.js revert         undo the last one
 *   node dist/src/database/migrate-cli.js generate Name  write migrations/<timestamp>-<name>.ts from the entity/schema difference
 * Uses DATABASE_URL, or the embedded PostgreSQL exactly as the service would.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ConfigModule } from '@nestjs/config';
import { AppConfigModule, loadConfiguration } from '../config';
import { dataSourceOptions } from './data-source-options';
import { DatabaseServer } from './database-server';

/** Importing the module reads the optional .env file, as at service start. */
void AppConfigModule;

async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  if (!['run', 'revert', 'generate'].includes(command ?? '')) {
    console.error('usage: migrate-cli run | revert | generate <Name>');
    process.exit(2);
  }
  await ConfigModule.envVariablesLoaded;
  const config = loadConfiguration();
  const entities = [join(__dirname, '..', '**', '*.entity.js')];
  const dataSource = new DataSource(dataSourceOptions(config, await DatabaseServer.resolveUrl(config), entities));
  await dataSource.initialize();
  try {
    if (command === 'run') {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      console.log(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'no pending migrations');
    } else if (command === 'revert') {
      await dataSource.undoLastMigration({ transaction: 'each' });
      console.log('reverted the last migration');
    } else {
      if (!name || !/^[A-Za-z][A-Za-z0-9]*$/.test(name))
        throw new Error('generate needs a PascalCase name, e.g. generate AddLicenseIndexes');
      await dataSource.runMigrations({ transaction: 'each' });
      const sql = await dataSource.driver.createSchemaBuilder().log();
      if (!sql.upQueries.length) {
        console.log('the schema already matches the entities; nothing to generate');
        return;
      }
      const timestamp = Date.now();
      const quote = (query: string) => '`' + query.replace(/`/g, '\\`') + '`';
      const file = join(
        process.cwd(),
        'migrations',
        `${timestamp}-${name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}.ts`,
      );
      writeFileSync(
        file,
        `import { MigrationInterface, QueryRunner } from 'typeorm';\n\nexport class ${name}${timestamp} implements MigrationInterface {\n  name = '${name}${timestamp}';\n\n` +
          `  async up(db: QueryRunner): Promise<void> {\n${sql.upQueries.map((q) => `    await db.query(${quote(q.query)});`).join('\n')}\n  }\n\n` +
          `  async down(db: QueryRunner): Promise<void> {\n${sql.downQueries
            .reverse()
            .map((q) => `    await db.query(${quote(q.query)});`)
            .join('\n')}\n  }\n}\n`,
      );
      console.log(`wrote ${file}: review it, then add ${name}${timestamp} to migrations/index.ts`);
      // The entities declare what the hand-written migrations create; on an up-to-date schema TypeORM still proposes
      // its join-table conventions (see README, migration:generate): those lines must not be kept.
      const drops = sql.upQueries.filter((query) =>
        /^\s*(DROP|ALTER TABLE \S+ DROP CONSTRAINT)/i.test(query.query),
      ).length;
      if (drops)
        console.warn(
          `warning: ${drops} statements drop constraints or indexes; delete those that only rename what the hand-written migrations made`,
        );
    }
  } finally {
    await dataSource.destroy();
    await DatabaseServer.stop();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
