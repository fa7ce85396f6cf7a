// Local rule `modules/no-cycle`: the Nest modules under src/modules/ depend on each other in one direction only.
// import-x/no-cycle sees cycles between files; this one sees them between module folders (orders → products →
// orders through different files), which is where a cycle makes two aggregates impossible to change apart.
// Only imports that exist at run time count: `import type` is erased by the compiler, and the reference's shapes
// embed each other (a product lists its order lines, an order line embeds its product).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const MODULES = resolve(import.meta.dirname, '..', 'src', 'modules');

/** The module folder a file belongs to, or undefined outside src/modules/. */
function moduleOf(file) {
  const path = relative(MODULES, file);
  return path.startsWith('..') || path === '' ? undefined : path.split(sep)[0];
}

function isRuntimeImport(statement) {
  if (ts.isImportDeclaration(statement)) {
    const clause = statement.importClause;
    if (!clause) return true;
    if (clause.isTypeOnly) return false;
    const bindings = clause.namedBindings;
    if (clause.name || !bindings || ts.isNamespaceImport(bindings)) return true;
    return bindings.elements.length === 0 || bindings.elements.some((element) => !element.isTypeOnly);
  }
  return ts.isExportDeclaration(statement) && !!statement.moduleSpecifier && !statement.isTypeOnly;
}

/** Relative specifiers of the imports (and re-exports) that remain in the emitted JavaScript. */
function runtimeImports(text, fileName) {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  return source.statements
    .filter(isRuntimeImport)
    .map((statement) => statement.moduleSpecifier.text)
    .filter((specifier) => specifier.startsWith('.'));
}

function sourceFiles(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

let graph;
/** module → (module it imports → the first file that does). Built once per lint run from the files on disk. */
function moduleGraph() {
  if (graph) return graph;
  graph = new Map();
  for (const file of sourceFiles(MODULES)) {
    const from = moduleOf(file);
    for (const specifier of runtimeImports(readFileSync(file, 'utf8'), file)) {
      const to = moduleOf(resolve(dirname(file), specifier));
      if (!to || to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      if (!graph.get(from).has(to)) graph.get(from).set(to, relative(MODULES, file));
    }
  }
  return graph;
}

/** The modules from `start` to `goal` along imports, or undefined when `goal` cannot be reached. */
function pathBetween(start, goal) {
  const cameFrom = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length) {
    const current = queue.shift();
    if (current === goal) {
      const path = [];
      for (let step = goal; step !== undefined; step = cameFrom.get(step)) path.unshift(step);
      return path;
    }
    for (const next of moduleGraph().get(current)?.keys() ?? []) {
      if (!cameFrom.has(next)) {
        cameFrom.set(next, current);
        queue.push(next);
      }
    }
  }
  return undefined;
}

const noCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import cycles between the Nest modules under src/modules/' },
    schema: [],
    messages: {
      cycle:
        'Module cycle {{cycle}}: {{back}} imports back. A module uses another through its exported service; ' +
        'name the other side (`import type`, a schema name, a token it provides) instead of importing it.',
    },
  },
  create(context) {
    const from = moduleOf(context.filename);
    if (!from || context.filename.endsWith('.spec.ts')) return {};
    const check = (node) => {
      if (node.importKind === 'type' || node.exportKind === 'type' || !node.source) return;
      if (node.specifiers?.length && node.specifiers.every((s) => s.importKind === 'type')) return;
      if (!node.source.value.startsWith('.')) return;
      const to = moduleOf(resolve(dirname(context.filename), node.source.value));
      if (!to || to === from) return;
      const back = pathBetween(to, from);
      if (!back) return;
      const backFile = moduleGraph().get(back.at(-2))?.get(from);
      context.report({ node, messageId: 'cycle', data: { cycle: [from, ...back].join(' → '), back: backFile } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};

export const modulesPlugin = { rules: { 'no-cycle': noCycle } };
