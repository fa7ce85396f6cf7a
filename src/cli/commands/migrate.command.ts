import { join } from 'node:path';
import { Command, CommandRunner, SubCommand } from 'nest-commander';
import {
  ENTITY_FILES,
  generateMigration,
  migrationStatus,
  revertLastMigration,
  runPendingMigrations,
} from '../../database/migration-commands';
import { AdminContext } from '../admin-context';

@SubCommand({
  name: 'run',
  description: 'apply the pending migrations (the service does this at start unless RUN_MIGRATIONS=false)',
})
export class MigrateRunCommand extends CommandRunner {
  constructor(private readonly context: AdminContext) {
    super();
  }

  async run(): Promise<void> {
    process.stdout.write(`${await runPendingMigrations(await this.context.dataSource())}\n`);
  }
}

@SubCommand({ name: 'revert', description: 'undo the last applied migration' })
export class MigrateRevertCommand extends CommandRunner {
  constructor(private readonly context: AdminContext) {
    super();
  }

  async run(): Promise<void> {
    process.stdout.write(`${await revertLastMigration(await this.context.dataSource())}\n`);
  }
}

@SubCommand({ name: 'status', description: 'list the migrations of this version, applied or pending' })
export class MigrateStatusCommand extends CommandRunner {
  constructor(private readonly context: AdminContext) {
    super();
  }

  async run(): Promise<void> {
    const status = await migrationStatus(await this.context.dataSource());
    for (const migration of status)
      process.stdout.write(`${migration.applied ? 'applied' : 'pending'}  ${migration.name}\n`);
  }
}

@SubCommand({
  name: 'generate',
  arguments: '<Name>',
  description: 'write migrations/<timestamp>-<name>.ts from the difference between the entities and the schema',
})
export class MigrateGenerateCommand extends CommandRunner {
  constructor(private readonly context: AdminContext) {
    super();
  }

  async run([name]: string[]): Promise<void> {
    const lines = await generateMigration(
      await this.context.dataSource({ entities: ENTITY_FILES }),
      name,
      join(process.cwd(), 'migrations'),
    );
    for (const line of lines) process.stdout.write(`${line}\n`);
  }
}

@Command({
  name: 'migrate',
  description: 'run, revert, list or generate schema migrations',
  subCommands: [MigrateRunCommand, MigrateRevertCommand, MigrateStatusCommand, MigrateGenerateCommand],
})
export class MigrateCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.outputHelp({ error: true });
    process.exitCode = 2;
  }
}
