/**
 * Two projects: `unit` (pure logic, no network: `npx jest --selectProjects unit`) and `e2e` (tests
 * that start the local account or local servers). `npm test` runs both.
 */
const common = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  setupFiles: ['<rootDir>/test/helpers/setup-env.ts'],
  // A guard against a hung test, not a speed target: on a busy 2-core machine the heaviest
  // end-to-end tests (hundreds of AMIs over HTTP, every call authorized) take well over 30 s.
  testTimeout: 120000,
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: common.testTimeout,
  // Jest's default is one worker fewer than the cores: 1 on a 2-core machine. Most e2e time is spent
  // waiting on sockets and the SDK's retry backoff, so a second worker overlaps that wait with work.
  maxWorkers: '100%',
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/test/unit'] },
    {
      ...common,
      displayName: 'e2e',
      roots: ['<rootDir>/test/e2e'],
      // Prints the stack once before the workers start; only the e2e tests read the stack's roles.
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
    },
  ],
};
