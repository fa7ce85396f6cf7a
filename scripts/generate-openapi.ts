/**
 * Writes openapi.json at the repository root from the code, without a database or a listener
 * (Nest's preview mode registers controllers without instantiating providers). Keys are sorted so
 * the file is stable and CI can fail when the committed copy differs.
 * Usage: ts-node scripts/generate-openapi.ts [output] [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildOpenApiDocument, createApp } from '../src/bootstrap';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const output = resolve(args.find((arg) => !arg.startsWith('--')) ?? 'openapi.json');
  process.env.DATA_DIR ??= resolve('.data');
  const app = await createApp({ logger: ['error'], preview: true });
  const text = `${JSON.stringify(sortKeys(buildOpenApiDocument(app)), null, 2)}\n`;
  await app.close();
  if (check) {
    let committed: string;
    try {
      committed = readFileSync(output, 'utf8');
    } catch {
      committed = '';
    }
    if (committed !== text) {
      console.error(`${output} is stale: run "npm run openapi" and commit the result`);
      process.exit(1);
    }
    console.log(`${output} matches the code`);
    return;
  }
  writeFileSync(output, text);
  const document = JSON.parse(text);
  const operations = Object.values(document.paths as Record<string, object>).reduce(
    (count, item) => count + Object.keys(item).length,
    0,
  );
  console.log(
    `wrote ${output}: ${operations} operations, ${Object.keys(document.components?.schemas ?? {}).length} schemas`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
