/**
 * Writes the README's table of error codes from ERROR_CATALOG (src/common/errors/error-catalog.ts);
 * error-catalog.spec.ts fails while the README's copy differs. Usage: ts-node scripts/generate-error-table.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { withErrorCodeTable } from '../src/common/errors/error-catalog';

const readme = resolve(__dirname, '..', 'README.md');
const before = readFileSync(readme, 'utf8');
const after = withErrorCodeTable(before);
writeFileSync(readme, after);
console.log(
  before === after ? 'README.md: the error code table was up to date' : 'README.md: error code table written',
);
