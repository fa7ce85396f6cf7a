import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfiguration } from '../config';
import { BackupManifest, BackupSummary, masterKeyFingerprint, secretsForRestore } from './backups';
import { CliError } from './cli-error';
import { parsePermissions } from './commands/create-api-key.command';

const key = () => randomBytes(32).toString('base64');

function backupWith(masterKey: string, secretsFile: string | null): BackupSummary {
  const folder = mkdtempSync(join(tmpdir(), 'backup-spec-'));
  if (secretsFile)
    writeFileSync(
      join(folder, secretsFile),
      JSON.stringify({ jwtSecret: 'j'.repeat(48), signingMasterKey: masterKey }),
    );
  const manifest = {
    secrets: { file: secretsFile, signingMasterKeyFingerprint: masterKeyFingerprint(Buffer.from(masterKey, 'base64')) },
  } as BackupManifest;
  return { folder, manifest };
}

const configWith = (env: Record<string, string>) =>
  loadConfiguration({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'backup-spec-data-')),
    DATABASE_URL: 'postgres://x@127.0.0.1/db',
    ...env,
  });

describe('secretsForRestore', () => {
  it("takes the backup's own secrets.json when its master key is the backup's", () => {
    const masterKey = key();
    expect(secretsForRestore(configWith({}), backupWith(masterKey, 'secrets.json'), undefined)).toMatchObject({
      signingMasterKey: masterKey,
    });
  });

  it('refuses a --secrets file of another master key, and a backup without secrets when none is given', () => {
    const backup = backupWith(key(), 'secrets.json');
    const other = join(backup.folder, 'other.json');
    writeFileSync(other, JSON.stringify({ signingMasterKey: key() }));
    expect(() => secretsForRestore(configWith({}), backup, other)).toThrow(/does not match this backup/);
    expect(() => secretsForRestore(configWith({}), backupWith(key(), null), undefined)).toThrow(
      /the backup holds no secrets file/,
    );
    writeFileSync(other, JSON.stringify({ signingMasterKey: 'short' }));
    expect(() => secretsForRestore(configWith({}), backup, other)).toThrow(/holds no signingMasterKey/);
  });

  it('with SIGNING_MASTER_KEY set, checks that key and installs no file', () => {
    const masterKey = key();
    const backup = backupWith(masterKey, null);
    expect(secretsForRestore(configWith({ SIGNING_MASTER_KEY: masterKey }), backup, undefined)).toBeUndefined();
    expect(() => secretsForRestore(configWith({ SIGNING_MASTER_KEY: key() }), backup, undefined)).toThrow(
      /SIGNING_MASTER_KEY is not the master key of this backup/,
    );
    expect(() =>
      secretsForRestore(configWith({ SIGNING_MASTER_KEY: masterKey }), backup, join(backup.folder, 'x.json')),
    ).toThrow(CliError);
  });

  it('fingerprints differ by key and reveal nothing of it', () => {
    const masterKey = randomBytes(32);
    expect(masterKeyFingerprint(masterKey)).toBe(masterKeyFingerprint(Buffer.from(masterKey)));
    expect(masterKeyFingerprint(masterKey)).not.toBe(masterKeyFingerprint(randomBytes(32)));
    expect(masterKeyFingerprint(masterKey)).not.toContain(masterKey.toString('hex'));
  });
});

describe('parsePermissions', () => {
  it('takes names, all, or the bits, as the API does', () => {
    expect(parsePermissions('read')).toBe(1);
    expect(parsePermissions('Read, create')).toBe(9);
    expect(parsePermissions('all')).toBe(15);
    expect(parsePermissions('6')).toBe(6);
    expect(() => parsePermissions('16')).toThrow(/not between 0 and 15/);
    expect(() => parsePermissions('read,fly')).toThrow(/"fly" is none of/);
  });
});
