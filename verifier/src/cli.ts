#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { LicenseDocument, verifyLicense } from './index';

const USAGE = 'usage: node cli.js <license-file> <public-key.pem> [--machine-id <id>]';

export const EXIT_VALID = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

interface CliArguments {
  licensePath: string;
  publicKeyPath: string;
  machineId?: string;
}

function parseArguments(args: string[]): CliArguments | undefined {
  const positional: string[] = [];
  let machineId: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--machine-id' && i + 1 < args.length) machineId = args[++i];
    else if (args[i].startsWith('--machine-id=')) machineId = args[i].slice('--machine-id='.length);
    else if (args[i].startsWith('-')) return undefined;
    else positional.push(args[i]);
  }
  if (positional.length !== 2) return undefined;
  return { licensePath: positional[0], publicKeyPath: positional[1], machineId };
}

function describe(license: LicenseDocument): string[] {
  const { product, licensee } = license;
  const lines = [`license: ${license.licenseId}`];
  const productName = [product?.name, product?.version].filter(Boolean).join(' ');
  if (productName) lines.push(`product: ${productName}`);
  const licenseeName = [licensee?.name, licensee?.company && `(${licensee.company})`].filter(Boolean).join(' ');
  if (licenseeName) lines.push(`licensee: ${licenseeName}`);
  lines.push(`expires: ${license.expireDate ?? 'never'}`);
  return lines;
}

/** Runs the verifier on command-line arguments and returns the exit code. */
export function runVerifierCli(
  args: string[],
  print: (line: string) => void,
  printError: (line: string) => void,
): number {
  const parsed = parseArguments(args);
  if (!parsed) {
    printError(USAGE);
    return EXIT_USAGE;
  }
  let licenseKey: string;
  let publicKeyPem: string;
  try {
    licenseKey = readFileSync(parsed.licensePath, 'utf8');
    publicKeyPem = readFileSync(parsed.publicKeyPath, 'utf8');
  } catch (error) {
    printError(`cannot read ${error.path ?? 'a file'}: ${error.code ?? error.message}`);
    return EXIT_USAGE;
  }

  const result = verifyLicense(licenseKey, publicKeyPem, { machineId: parsed.machineId });
  if (!result.valid) {
    print(`invalid: ${result.reason}`);
    return EXIT_INVALID;
  }
  print('valid');
  for (const line of describe(result.license!)) print(line);
  return EXIT_VALID;
}

if (require.main === module) {
  process.exitCode = runVerifierCli(process.argv.slice(2), console.log, console.error);
}
