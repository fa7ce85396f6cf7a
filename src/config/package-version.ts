import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** package.json sits two folders up from src/config/ and three from dist/src/config/. */
function findPackageFile(): string | undefined {
  const candidates = [join(__dirname, '..', '..', 'package.json'), join(__dirname, '..', '..', '..', 'package.json')];
  return candidates.find(
    (path) =>
      existsSync(path) &&
      (JSON.parse(readFileSync(path, 'utf8')) as { name?: string }).name === 'open-licensing-server',
  );
}

function readPackageVersion(): string {
  const file = findPackageFile();
  return file ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : '0.0.0';
}

/** The folder of the service's package.json, whether the code runs from src/ (tests) or dist/src/. */
export const PROJECT_ROOT = dirname(findPackageFile() ?? join(__dirname, '..', '..', 'package.json'));

/** The service's version (package.json), shown by Swagger and GET /v1/info. */
export const packageVersion = readPackageVersion();
