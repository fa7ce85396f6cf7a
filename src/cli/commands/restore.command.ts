import { rmSync } from 'node:fs';
import { Command, CommandRunner, Option } from 'nest-commander';
import { AdminContext } from '../admin-context';
import { assertSecretsWritable, installSecrets, readBackup, restoreDatabase, secretsForRestore } from '../backups';

@Command({
  name: 'restore',
  arguments: '<folder>',
  argsDescription: { folder: 'a folder written by "backup"' },
  description:
    'restore a backup into an empty database and install its secrets; refused, changing nothing, unless the secrets match the backup',
})
export class RestoreCommand extends CommandRunner {
  constructor(private readonly context: AdminContext) {
    super();
  }

  @Option({
    flags: '--secrets <file>',
    description: "the secrets.json to restore with, when it is kept apart from the backup (default: the backup's copy)",
  })
  parseSecrets(value: string): string {
    return value;
  }

  async run([source]: string[], options: { secrets?: string } = {}): Promise<void> {
    const config = await this.context.config();
    let restored = false;
    try {
      const backup = await readBackup(source);
      const secrets = secretsForRestore(config, backup, options.secrets);
      if (secrets) assertSecretsWritable(config);
      const url = await this.context.databaseUrl();
      const { rows, laterMigrations } = await restoreDatabase(
        (migrations) => this.context.dataSource({ migrations }),
        url,
        backup,
      );
      restored = true;
      const { manifest } = backup;
      process.stderr.write(
        `restored ${rows} rows of ${manifest.database.tables.length} tables from the backup of ${manifest.source} made ${manifest.createdAt}; ${laterMigrations}\n`,
      );
      process.stderr.write(
        `${secrets ? installSecrets(config, secrets) : "SIGNING_MASTER_KEY is the backup's master key"}\n`,
      );
    } finally {
      // A secrets.json that loading the configuration just generated for a refused restore is not left behind (the
      // embedded PostgreSQL's one stays: its new database cluster was made with it).
      if (!restored && config.secrets.created && config.database.url) rmSync(config.secrets.file, { force: true });
    }
  }
}
