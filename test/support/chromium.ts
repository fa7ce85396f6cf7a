import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * The Chromium the console's browser spec drives: CHROMIUM_PATH when set, else Debian's. A machine without it gets
 * it from Debian's packages when the tests run as root with apt-get (as a fresh CI or developer machine here does),
 * the way the HTTP specs fall back to an embedded PostgreSQL; anywhere else the error says what to install.
 */
export function ensureChromium(log: (message: string) => void): string {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured}: no such file`);
    return configured;
  }
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  const canInstall = process.getuid?.() === 0 && spawnSync('apt-get', ['--version']).status === 0;
  if (!canInstall)
    throw new Error(
      `The console spec needs Chromium: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary`,
    );
  log(`installing Debian's chromium for the console spec (apt-get; once per machine) …`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'chromium'],
  ]) {
    const result = spawnSync('apt-get', args, { env, encoding: 'utf8' });
    if (result.status !== 0)
      throw new Error(`apt-get ${args.join(' ')} failed (${result.status}):\n${result.stderr.slice(-2000)}`);
  }
  if (!existsSync(DEBIAN_CHROMIUM)) throw new Error(`apt-get installed chromium, but ${DEBIAN_CHROMIUM} is missing`);
  return DEBIAN_CHROMIUM;
}
