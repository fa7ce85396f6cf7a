/** Unit specs sit beside their source; HTTP specs live in test/ and share one database per run. */
// Tests are transpiled file by file (fast); type errors are tsc's job (npm run typecheck, and the build).
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: { ignoreCodes: ['TS151001', 'TS1272'] } }];
module.exports = {
  // HTTP specs hash passwords with argon2 and run many requests; 5 s is too tight on a loaded 2-core machine.
  testTimeout: 30000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/src', '<rootDir>/verifier'],
      testMatch: ['**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
    },
    {
      displayName: 'http',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
