import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, accessSync } from 'node:fs';
import { constants as fs } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DataSource, MigrationExecutor } from 'typeorm';
import { ALL_MIGRATIONS } from '../../migrations';
import { AppConfig, LocalSecrets, SECRETS_FILE_NAME, packageVersion } from '../config';
import { describeDatabaseUrl } from '../database/database.module';
import { DatabaseExport, countTables, exportDatabase, importDatabase } from '../database/logical-backup';
import { runPendingMigrations } from '../database/migration-commands';
import { CliError } from './cli-error';

export const MANIFEST_FILE = 'manifest.json';
export const DATABASE_FILE = 'database.jsonl.gz';
const FORMAT = 'open-licensing-server-backup';
const FORMAT_VERSION = 1;

/** What a backup folder says about itself; written last, so a folder without it is an unfinished backup. */
export interface BackupManifest {
  format: typeof FORMAT;
  formatVersion: number;
  createdAt: string;
  applicationVersion: string;
  /** host:port/database of the source, without credentials. */
  source: string;
  database: DatabaseExport & { file: string; sha256: string };
  secrets: {
    /** The copy of secrets.json in the folder, or null when the master key came from SIGNING_MASTER_KEY. */
    file: string | null;
    /** Identifies the master key the stored private keys are encrypted under, without revealing it. */
    signingMasterKeyFingerprint: string;
  };
}

/** A one-way digest of the signing master key: equal digests, same key. */
export function masterKeyFingerprint(masterKey: Buffer): string {
  return createHash('sha256').update('open-licensing-server signing master key\0').update(masterKey).digest('hex');
}

const short = (fingerprint: string) => fingerprint.slice(0, 12);

function sha256File(file: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}

function readJson<T>(file: string, what: string): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new CliError(`${what} ${file} is not JSON`);
  }
}

/** A secrets file's contents, checked for the member a restore depends on. */
function readSecretsFile(file: string): Partial<LocalSecrets> & { signingMasterKey: string } {
  const secrets = readJson<Partial<LocalSecrets>>(file, 'the secrets file');
  const key =
    typeof secrets.signingMasterKey === 'string' ? Buffer.from(secrets.signingMasterKey, 'base64') : undefined;
  if (!key || key.length !== 32)
    throw new CliError(`the secrets file ${file} holds no signingMasterKey (base64 of 32 bytes)`);
  return secrets as Partial<LocalSecrets> & { signingMasterKey: string };
}

export interface BackupSummary {
  folder: string;
  manifest: BackupManifest;
}

/**
 * Writes a backup folder: the logical export of the database, a copy of secrets.json (without the embedded
 * PostgreSQL's password, which belongs to this machine's database cluster), and the manifest with the master key's
 * fingerprint. The folder must not exist yet, or be empty.
 */
export async function writeBackup(
  config: AppConfig,
  dataSource: DataSource,
  url: string,
  target: string,
): Promise<BackupSummary> {
  const folder = resolve(target);
  if (existsSync(folder) && readdirSync(folder).length > 0)
    throw new CliError(`${folder} is not empty: back up into a new folder`, 2);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const migrated = await dataSource.query<Array<{ found: boolean }>>(
    `SELECT to_regclass('migrations') IS NOT NULL AS found`,
  );
  if (!migrated[0].found) throw new CliError(`the database at ${describeDatabaseUrl(url)} has no schema to back up`);

  const queryRunner = dataSource.createQueryRunner();
  let exported: DatabaseExport;
  try {
    exported = await exportDatabase(queryRunner, join(folder, DATABASE_FILE));
  } finally {
    await queryRunner.release();
  }
  let secretsFile: string | null = null;
  if (!config.secrets.masterKeyFromEnvironment) {
    const { jwtSecret, signingMasterKey } = readSecretsFile(config.secrets.file);
    secretsFile = SECRETS_FILE_NAME;
    writeFileSync(join(folder, secretsFile), `${JSON.stringify({ jwtSecret, signingMasterKey }, null, 2)}\n`, {
      mode: 0o600,
    });
  }
  const manifest: BackupManifest = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    applicationVersion: packageVersion,
    source: describeDatabaseUrl(url),
    database: { file: DATABASE_FILE, sha256: await sha256File(join(folder, DATABASE_FILE)), ...exported },
    secrets: { file: secretsFile, signingMasterKeyFingerprint: masterKeyFingerprint(config.signingMasterKey) },
  };
  writeFileSync(join(folder, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return { folder, manifest };
}

/** Reads and checks a backup folder's manifest and data file. */
export async function readBackup(source: string): Promise<BackupSummary> {
  const folder = resolve(source);
  const manifestFile = join(folder, MANIFEST_FILE);
  if (!existsSync(manifestFile))
    throw new CliError(`${folder} holds no ${MANIFEST_FILE}: not a backup folder, or a backup that did not finish`);
  const manifest = readJson<BackupManifest>(manifestFile, 'the manifest');
  if (manifest.format !== FORMAT || manifest.formatVersion !== FORMAT_VERSION)
    throw new CliError(`${manifestFile} is not a backup of format ${FORMAT} ${FORMAT_VERSION}`);
  const dataFile = join(folder, manifest.database.file);
  if (!existsSync(dataFile)) throw new CliError(`the backup's database file ${dataFile} is missing`);
  if ((await sha256File(dataFile)) !== manifest.database.sha256)
    throw new CliError(`${dataFile} does not match its checksum in the manifest: the file is damaged or was changed`);
  return { folder, manifest };
}

/** The secrets a restore puts in DATA_DIR/secrets.json (undefined: the master key comes from the environment). */
export type SecretsToInstall = (Partial<LocalSecrets> & { signingMasterKey: string }) | undefined;

/**
 * The master key the service will decrypt the restored keys with must be the one they were encrypted under:
 * SIGNING_MASTER_KEY when it is set, else the secrets file given (`--secrets`) or the backup's own copy. Refused,
 * before anything is touched, when it is not.
 */
export function secretsForRestore(
  config: AppConfig,
  backup: BackupSummary,
  secretsOption: string | undefined,
): SecretsToInstall {
  const expected = backup.manifest.secrets.signingMasterKeyFingerprint;
  if (config.secrets.masterKeyFromEnvironment) {
    if (secretsOption)
      throw new CliError('--secrets is not used while SIGNING_MASTER_KEY is set: the service decrypts with that', 2);
    const actual = masterKeyFingerprint(config.signingMasterKey);
    if (actual !== expected)
      throw new CliError(
        `SIGNING_MASTER_KEY is not the master key of this backup (fingerprint ${short(actual)}…, the backup's ${short(expected)}…): its private signing keys would not decrypt; nothing was restored`,
      );
    return undefined;
  }
  const file = secretsOption
    ? resolve(secretsOption)
    : backup.manifest.secrets.file
      ? join(backup.folder, backup.manifest.secrets.file)
      : undefined;
  if (!file || !existsSync(file))
    throw new CliError(
      `the backup holds no secrets file${file ? ` (${file} is missing)` : ''}: pass --secrets <file> with the secrets.json in use when it was made, or set SIGNING_MASTER_KEY; nothing was restored`,
    );
  const secrets = readSecretsFile(file);
  const actual = masterKeyFingerprint(Buffer.from(secrets.signingMasterKey, 'base64'));
  if (actual !== expected)
    throw new CliError(
      `the secrets file ${file} does not match this backup (master key fingerprint ${short(actual)}…, the backup's ${short(expected)}…): its private signing keys would not decrypt; nothing was restored`,
    );
  return secrets;
}

/** DATA_DIR must take the secrets file before the database is touched. */
export function assertSecretsWritable(config: AppConfig): void {
  const folder = dirname(config.secrets.file);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o755 });
    accessSync(folder, fs.W_OK);
  } catch {
    throw new CliError(
      `cannot write ${config.secrets.file}: DATA_DIR must be writable to install the backup's secrets`,
    );
  }
}

/**
 * Builds the backup's schema with its own migrations and loads its rows, in one transaction (an error leaves the
 * database empty), then applies this version's newer migrations. The target must be empty.
 */
export async function restoreDatabase(
  open: (migrations: typeof ALL_MIGRATIONS) => Promise<DataSource>,
  url: string,
  backup: BackupSummary,
): Promise<{ rows: number; laterMigrations: string }> {
  const { manifest } = backup;
  const names = ALL_MIGRATIONS.map((migration) => migration.name);
  const known = manifest.database.migrations.every((name, index) => names[index] === name);
  if (!known)
    throw new CliError(
      `the backup's migrations are not those of this version (${manifest.database.migrations.at(-1)} last): restore it with version ${manifest.applicationVersion} or later`,
    );
  const dataSource = await open(ALL_MIGRATIONS.slice(0, manifest.database.migrations.length));
  const queryRunner = dataSource.createQueryRunner();
  let rows: number;
  try {
    const tables = await countTables(queryRunner);
    if (tables > 0)
      throw new CliError(
        `the database at ${describeDatabaseUrl(url)} is not empty (${tables} tables): restore into a new database (createdb) or an empty one; nothing was restored`,
      );
    await queryRunner.startTransaction();
    const migrations = new MigrationExecutor(dataSource, queryRunner);
    migrations.transaction = 'none';
    await migrations.executePendingMigrations();
    rows = await importDatabase(queryRunner, join(backup.folder, manifest.database.file), manifest.database);
    await queryRunner.commitTransaction();
  } catch (error) {
    if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await queryRunner.release();
  }
  const laterMigrations =
    manifest.database.migrations.length < names.length
      ? await runPendingMigrations(await open(ALL_MIGRATIONS))
      : 'no later migrations';
  return { rows, laterMigrations };
}

/**
 * Puts the backup's secrets into DATA_DIR/secrets.json, keeping this machine's embedded PostgreSQL password (its
 * cluster was made with it). A different file already there is kept beside it, never overwritten.
 */
export function installSecrets(config: AppConfig, secrets: NonNullable<SecretsToInstall>): string {
  const file = config.secrets.file;
  const current = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSecrets>) : {};
  const next = {
    jwtSecret: secrets.jwtSecret ?? current.jwtSecret,
    signingMasterKey: secrets.signingMasterKey,
    embeddedPgPassword: current.embeddedPgPassword ?? secrets.embeddedPgPassword,
  };
  if (current.signingMasterKey === next.signingMasterKey && current.jwtSecret === next.jwtSecret)
    return `${file} already holds the backup's secrets`;
  let kept = '';
  // A file this very command generated (a new DATA_DIR) holds nothing worth keeping.
  if (existsSync(file) && !config.secrets.created) {
    const aside = `${file}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    writeFileSync(aside, readFileSync(file), { mode: 0o600 });
    kept = ` (the previous one is kept as ${aside})`;
  }
  writeFileSync(file, JSON.stringify(next, null, 2), { mode: 0o600 });
  return `installed the backup's secrets in ${file}${kept}; a service running on it reads them at its next start`;
}
