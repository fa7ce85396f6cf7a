import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKeyPair, LicenseFormat, signLicense, SigningKey } from '../../src/modules/signing';
import { EXIT_INVALID, EXIT_USAGE, EXIT_VALID, runVerifierCli } from './cli';

describe('verifier CLI', () => {
  let directory: string;
  let key: SigningKey;
  let licensePath: string;
  let publicKeyPath: string;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'verifier-cli-'));
    key = await generateSigningKeyPair('Ed25519');
    const { licenseKey } = signLicense(
      {
        licenseId: 'lic0000CAFE',
        licensingMode: 1,
        expireDate: '2999-01-01T00:00:00Z',
        product: { name: 'Widget Studio', version: '2.1' },
        licensee: { name: 'Ann', company: 'Acme' },
        restrictions: [{ name: 'Hardware', properties: { machineId: 'M1' } }],
      },
      LicenseFormat.Base32,
      key,
      { includePublicKey: false },
    );
    licensePath = join(directory, 'license.txt');
    publicKeyPath = join(directory, 'public.pem');
    writeFileSync(licensePath, `${licenseKey}\n`);
    writeFileSync(publicKeyPath, key.publicKeyPem);
  });

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  function run(...args: string[]): { code: number; output: string[]; errors: string[] } {
    const output: string[] = [];
    const errors: string[] = [];
    const code = runVerifierCli(
      args,
      (line) => output.push(line),
      (line) => errors.push(line),
    );
    return { code, output, errors };
  }

  it('should print valid and what the license says, and exit 0', () => {
    expect(run(licensePath, publicKeyPath, '--machine-id', 'M1')).toEqual({
      code: EXIT_VALID,
      output: [
        'valid',
        'license: lic0000CAFE',
        'product: Widget Studio 2.1',
        'licensee: Ann (Acme)',
        'expires: 2999-01-01T00:00:00Z',
      ],
      errors: [],
    });
  });

  it('should print the reason and exit 1 when the license is not valid', () => {
    expect(run(licensePath, publicKeyPath, '--machine-id=M2')).toEqual({
      code: EXIT_INVALID,
      output: ['invalid: licensed for another machine, not for machine id M2'],
      errors: [],
    });
  });

  it('should exit 2 with usage on wrong arguments or unreadable files', () => {
    expect(run(licensePath)).toMatchObject({ code: EXIT_USAGE, errors: [expect.stringMatching(/^usage: /)] });
    expect(run(licensePath, publicKeyPath, '--verbose')).toMatchObject({ code: EXIT_USAGE });
    expect(run(join(directory, 'missing.txt'), publicKeyPath)).toMatchObject({
      code: EXIT_USAGE,
      errors: [expect.stringContaining('missing.txt: ENOENT')],
    });
  });
});
