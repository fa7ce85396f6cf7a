// `npm start`: brings dist/ up to date with the sources (compiling only the files that changed, nothing at all when
// none did) and runs the service from it in this process, as `node dist/src/main.js` would.
import { createRequire } from 'node:module';
import { build, describe } from './build.mjs';

try {
  console.log(describe(await build()));
} catch (error) {
  console.error(`build failed: ${error.message ?? error}`);
  process.exit(1);
}
createRequire(import.meta.url)('../dist/src/main.js');
