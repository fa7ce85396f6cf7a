import { Command, CommandRunner } from 'nest-commander';
import { AdminContext } from '../admin-context';
import { writeBackup } from '../backups';

@Command({
  name: 'backup',
  arguments: '<folder>',
  argsDescription: { folder: 'a new (or empty) folder for the backup' },
  description:
    'write a consistent export of the database and a copy of secrets.json (the key that decrypts the stored private signing keys) into a folder',
})
export class BackupCommand extends CommandRunner {
  constructor(private readonly context: AdminContext) {
    super();
  }

  async run([target]: string[]): Promise<void> {
    const config = await this.context.config();
    const url = await this.context.databaseUrl();
    const { folder, manifest } = await writeBackup(config, await this.context.dataSource(), url, target);
    const rows = manifest.database.tables.reduce((sum, table) => sum + table.rows, 0);
    process.stderr.write(
      `backup of ${manifest.source}: ${manifest.database.tables.length} tables, ${rows} rows, ${manifest.database.migrations.length} migrations, in ${folder}\n`,
    );
    process.stderr.write(
      manifest.secrets.file
        ? `${folder}/${manifest.secrets.file} holds the signing master key: keep it as safe as the data, and with it; without it the private signing keys in the backup cannot be decrypted\n`
        : 'the signing master key comes from SIGNING_MASTER_KEY, so the backup holds no secrets.json: keep that key with the backup; restore checks it against the fingerprint in manifest.json\n',
    );
    process.stdout.write(`${folder}\n`);
  }
}
