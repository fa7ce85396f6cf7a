// Compiles the service (src/, migrations/, verifier/) to dist/ with SWC, one output file per source file, and only
// the files that changed since the last successful build: a manifest in dist/ keeps each source's size, mtime and
// SHA-1, and the SWC version, .swcrc and this script. Type errors are tsc's job (`npm run typecheck`), not the build's.
//
//   node scripts/build.mjs                 compile what changed (what `npm start` does before it starts the service)
//   node scripts/build.mjs --clean         empty the output folder and compile everything (`npm run build`)
//   node scripts/build.mjs --out-dir DIR   into another folder (the licensing bench builds into a temporary one)
//
// Prints one line, e.g. `build: unchanged, 0.01 s` or `build: 263 files compiled in 0.41 s`.
//
// Into dist/ (not with --out-dir) it also builds the web console (console/, Vite) into dist/console/, after
// generating the SDK it talks through (sdk/, from openapi.json), but only when the console's sources, its package
// files or openapi.json changed since the console was last built: an unchanged `npm start` stays fast.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The service, the migration and verifier CLIs, and the generator of openapi.json (so that the document is read
 *  from the same compiled decorators the service serves). */
const SOURCE_ROOTS = ['src', 'migrations', 'verifier'];
const SOURCE_FILES = ['scripts/generate-openapi.ts'];
const MANIFEST = '.build-manifest.json';

/** A source file of the build: TypeScript, not a spec, not a declaration, not a test helper under testing/. */
function isSource(path) {
  return (
    path.endsWith('.ts') &&
    !path.endsWith('.d.ts') &&
    !path.endsWith('.spec.ts') &&
    !path.split('/').includes('testing')
  );
}

const exists = (path) =>
  stat(path).then(
    () => true,
    () => false,
  );

async function listSources() {
  const found = [];
  async function walk(folder) {
    let entries;
    try {
      entries = await readdir(join(ROOT, folder), { withFileTypes: true });
    } catch (error) {
      if (error.code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'testing') await walk(path);
      } else if (isSource(path)) found.push(path);
    }
  }
  for (const folder of SOURCE_ROOTS) await walk(folder);
  for (const file of SOURCE_FILES) if (await exists(join(ROOT, file))) found.push(file);
  return found.sort();
}

const outputOf = (source) => source.replace(/\.ts$/, '.js');
const sha1 = (data) => createHash('sha1').update(data).digest('hex');

/** What the output of every file depends on besides the file: a change here recompiles everything. */
function configStamp() {
  const require = createRequire(import.meta.url);
  let swcPackage;
  try {
    swcPackage = require.resolve('@swc/core/package.json');
  } catch {
    throw new Error('@swc/core is not in node_modules: run npm install (or npm ci)');
  }
  const swcVersion = JSON.parse(readFileSync(swcPackage, 'utf8')).version;
  return sha1(
    [swcVersion, readFileSync(join(ROOT, '.swcrc'), 'utf8'), readFileSync(fileURLToPath(import.meta.url), 'utf8')].join(
      '\0',
    ),
  );
}

async function readManifest(outDir) {
  try {
    return JSON.parse(await readFile(join(outDir, MANIFEST), 'utf8'));
  } catch {
    return { config: null, files: {} };
  }
}

/**
 * Brings `outDir` up to date and returns what was done. Only loads SWC when something needs compiling, so that a
 * start on unchanged sources costs a few stat() calls.
 */
export async function build({ outDir = join(ROOT, 'dist'), clean = false, console: withConsole } = {}) {
  const started = process.hrtime.bigint();
  withConsole ??= resolve(outDir) === join(ROOT, 'dist');
  if (clean) await rm(outDir, { recursive: true, force: true });
  const previous = await readManifest(outDir);
  const config = configStamp();
  const sameConfig = previous.config === config;
  const sources = await listSources();
  const files = {};
  const toCompile = [];
  await Promise.all(
    sources.map(async (source) => {
      const info = await stat(join(ROOT, source));
      const before = sameConfig ? previous.files[source] : undefined;
      const entry = { size: info.size, mtimeMs: info.mtimeMs, sha1: before?.sha1 };
      const present = before !== undefined && (await exists(join(outDir, outputOf(source))));
      if (present && before.size === info.size && before.mtimeMs === info.mtimeMs) {
        files[source] = entry;
        return;
      }
      // Touched but maybe not changed (a checkout, a rebase): the content decides.
      const code = await readFile(join(ROOT, source));
      entry.sha1 = sha1(code);
      files[source] = entry;
      if (!present || before.sha1 !== entry.sha1) toCompile.push(source);
    }),
  );
  const removed = Object.keys(previous.files).filter((source) => !(source in files));
  const unchanged = toCompile.length === 0 && removed.length === 0 && sameConfig;

  if (!unchanged) {
    if (toCompile.length > 0) {
      const swc = await import('@swc/core');
      await Promise.all(toCompile.map((source) => compile(swc, source, outDir)));
    }
    for (const source of removed) {
      await rm(join(outDir, outputOf(source)), { force: true });
      await rm(join(outDir, `${outputOf(source)}.map`), { force: true });
    }
  }
  // Written last, so that a build that failed half-way compiles the same files again next time.
  if (!unchanged || JSON.stringify(previous.files) !== JSON.stringify(files)) {
    await mkdir(outDir, { recursive: true });
    const temporary = join(outDir, `${MANIFEST}.${process.pid}`);
    await writeFile(temporary, JSON.stringify({ config, files }));
    await rename(temporary, join(outDir, MANIFEST));
  }
  const consoleBuilt = withConsole ? await buildConsole(outDir) : undefined;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { compiled: toCompile.length, removed: removed.length, total: sources.length, seconds, consoleBuilt };
}

/** What the console's bundle depends on: its folder (sources, HTML, Vite config, package.json) and openapi.json. */
const CONSOLE_INPUTS = ['console', 'openapi.json', 'package-lock.json'];
const CONSOLE_MANIFEST = '.console-manifest.json';

async function consoleStamp() {
  const hash = createHash('sha1');
  async function add(path) {
    const info = await stat(join(ROOT, path)).catch(() => undefined);
    if (!info) return;
    if (info.isDirectory()) {
      const entries = (await readdir(join(ROOT, path))).filter((name) => name !== 'node_modules').sort();
      for (const name of entries) await add(`${path}/${name}`);
    } else {
      hash
        .update(`${path}\0`)
        .update(await readFile(join(ROOT, path)))
        .update('\0');
    }
  }
  for (const input of CONSOLE_INPUTS) await add(input);
  return hash.digest('hex');
}

/** Builds dist/console/ when its inputs changed (or it is missing); answers whether it did. */
async function buildConsole(outDir) {
  if (!(await exists(join(ROOT, 'console', 'package.json')))) return false;
  const stamp = await consoleStamp();
  const manifest = join(outDir, CONSOLE_MANIFEST);
  const previous = await readFile(manifest, 'utf8').catch(() => '');
  const sdkPresent = await exists(join(ROOT, 'sdk', 'src', 'sdk.gen.ts'));
  if (previous === stamp && sdkPresent && (await exists(join(outDir, 'console', 'index.html')))) return false;
  generateSdk();
  const require = createRequire(import.meta.url);
  let vite;
  try {
    vite = await import(pathToFileURL(require.resolve('vite')).href);
  } catch {
    throw new Error(
      'vite is not in node_modules: run npm install (or npm ci) at the root, which installs console/ too',
    );
  }
  // Vite keeps a NODE_ENV it finds set (test under Jest, development under `npm start`), which would bundle React's
  // development build; the bundle is always a production one. Restored at once: `npm start` runs the service in
  // this process next.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await vite.build({
      root: join(ROOT, 'console'),
      configFile: join(ROOT, 'console', 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir: join(outDir, 'console'), emptyOutDir: true },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  await compressConsole(join(outDir, 'console'));
  await writeFile(manifest, stamp);
  return true;
}

/**
 * Brotli and gzip copies beside each text file of the bundle, which the service sends to browsers that accept
 * them (@fastify/static preCompressed): the service compresses nothing at run time.
 */
async function compressConsole(folder) {
  const { brotliCompressSync, gzipSync, constants } = await import('node:zlib');
  const files = [];
  async function walk(path) {
    for (const entry of await readdir(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) await walk(child);
      else if (/\.(js|css|html|svg|json)$/.test(entry.name)) files.push(child);
    }
  }
  await walk(folder);
  for (const file of files) {
    const data = await readFile(file);
    await writeFile(`${file}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    await writeFile(`${file}.gz`, gzipSync(data, { level: 9 }));
  }
}

/** `npm run sdk`: the console imports the SDK generated from openapi.json, which is not committed. */
function generateSdk() {
  const require = createRequire(import.meta.url);
  const packageFile = require.resolve('@hey-api/openapi-ts/package.json');
  const { bin } = JSON.parse(readFileSync(packageFile, 'utf8'));
  const cli = join(dirname(packageFile), typeof bin === 'string' ? bin : bin['openapi-ts']);
  const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts;
  const args = scripts.sdk.split(' ').slice(1);
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`generating the SDK failed:\n${result.stdout}${result.stderr}`);
}

async function compile(swc, source, outDir) {
  const input = join(ROOT, source);
  const output = join(outDir, outputOf(source));
  await mkdir(dirname(output), { recursive: true });
  const result = await swc.transformFile(input, {
    cwd: ROOT,
    swcrc: true,
    configFile: join(ROOT, '.swcrc'),
    sourceFileName: relative(dirname(output), input).split(sep).join('/'),
  });
  const mapName = `${output.slice(dirname(output).length + 1)}.map`;
  await writeFile(output, `${result.code}\n//# sourceMappingURL=${mapName}\n`);
  if (result.map) await writeFile(`${output}.map`, result.map);
}

export function describe({ compiled, removed, total, seconds, consoleBuilt }) {
  const time = `${seconds.toFixed(2)} s`;
  if (compiled === 0 && removed === 0 && !consoleBuilt) return `build: unchanged, ${time}`;
  const parts = [];
  if (compiled > 0) parts.push(`${compiled} of ${total} files compiled`);
  if (removed > 0) parts.push(`${removed} removed`);
  if (consoleBuilt) parts.push('console built');
  return `build: ${parts.join(', ')} in ${time}`;
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  const argv = process.argv.slice(2);
  const outIndex = argv.indexOf('--out-dir');
  const outDir = outIndex >= 0 ? resolve(argv[outIndex + 1]) : undefined;
  try {
    console.log(describe(await build({ outDir, clean: argv.includes('--clean') })));
  } catch (error) {
    console.error(`build failed: ${error.message ?? error}`);
    process.exitCode = 1;
  }
}
