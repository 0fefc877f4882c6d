// Shared Jest settings: ESM test files compiled by swc, workspace packages resolved to their
// TypeScript sources through the `@jetstream-ts/source` export condition (no build needed).
export default {
  testEnvironment: 'node',
  testEnvironmentOptions: {
    customExportConditions: ['@jetstream-ts/source', 'node', 'node-addons'],
  },
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
        },
        module: { type: 'es6' },
      },
    ],
  },
  testTimeout: 20000,
};
