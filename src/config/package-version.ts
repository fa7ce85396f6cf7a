import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** package.json sits two folders up from src/config/ and three from dist/src/config/. */
function readPackageVersion(): string {
  const candidates = [join(__dirname, '..', '..', 'package.json'), join(__dirname, '..', '..', '..', 'package.json')];
  const file = candidates.find(
    (path) =>
      existsSync(path) &&
      (JSON.parse(readFileSync(path, 'utf8')) as { name?: string }).name === 'open-licensing-server',
  );
  return file ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : '0.0.0';
}

/** The service's version (package.json), shown by Swagger and GET /v1/info. */
export const packageVersion = readPackageVersion();
