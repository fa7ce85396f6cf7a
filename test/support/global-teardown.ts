import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__TEST_DATABASE__?.drop();
  if (process.env.DATA_DIR?.includes('licensing-test-data-'))
    rmSync(process.env.DATA_DIR, { recursive: true, force: true });
}
