// ESLint, flat config. Type-aware rules (the compiler's view of every file) catch what tsc lets through:
// promises nobody awaits or that land where a void callback is expected, and import cycles between files.
// Formatting is Prettier's job (`npm run format:check`); eslint-config-prettier turns off the rules it owns.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { modulesPlugin } from './eslint/module-cycles.mjs';

export default tseslint.config(
  { ignores: ['dist/', 'sdk/', 'node_modules/', 'coverage/', '.data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    plugins: { 'import-x': importX, modules: modulesPlugin },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    rules: {
      // TypeORM's query() and supertest's body are `any` by their APIs, so these would flag every raw query and
      // every response assertion; the rows are typed where they are read (see the repositories).
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // An async method without await is how an interface that returns a promise is implemented synchronously.
      '@typescript-eslint/require-await': 'off',
      // Nest's reflection hands out handlers and classes as `Function`; the route caches are keyed by exactly those.
      '@typescript-eslint/no-unsafe-function-type': 'off',
      // Entity columns hold the values of string enums (role names, licensing modes) as plain strings.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      // String(unknown) in messages and logs is deliberate: whatever was thrown is shown as it stringifies.
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // A module reaches another through its exported service; a cycle means two of them know each other's insides.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'modules/no-cycle': 'error',
    },
  },
  {
    // Tests read response bodies as loose records, hand jest's matchers methods of mocks (`expect(log.write)`),
    // widen literals with `as` to pick a generic's type argument (which the assertion rule takes for noise), and
    // require() the files they find at run time (every migration, every entity, every DTO).
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
