import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Body = Record<string, any>;

const EXAMPLES = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'reference-request-examples.json'), 'utf8'),
) as Record<string, Body>;

/** The reference's example request body of `operation` ('POST /v1/customers'), a fresh copy each call. */
export function referenceExample(operation: string): Body {
  const example = EXAMPLES[operation];
  if (!example) throw new Error(`The reference has no example body for ${operation}`);
  return structuredClone(example);
}
