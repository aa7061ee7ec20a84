/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // @middy/* ships ESM only, so swc compiles it to CommonJS along with our TypeScript.
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  setupFiles: ['<rootDir>/test/helpers/setup-env.ts'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  // A guard against a hung test, not a speed target: on a busy 2-core machine the heaviest
  // end-to-end tests (hundreds of AMIs over HTTP, every call authorized) take well over 30 s.
  testTimeout: 120000,
};
