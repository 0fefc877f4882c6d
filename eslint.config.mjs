import nx from '@nx/eslint-plugin';

/**
 * Dependencies point one way: apps and tools -> libs -> models. The test-support libs
 * (`type:test`: testkit, fake-relay, synthetic-firehose, test-pds) serve specs, the test harness
 * and the bench, so apps and tools may use them; libs and models only in their specs.
 */
function moduleBoundaries({ testsMayUseTestSupport }) {
  const test = testsMayUseTestSupport ? ['type:test'] : [];
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:models', 'type:test'] },
      { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:models', 'type:test'] },
      { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:lib', 'type:models', 'type:test'] },
      { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:models', ...test] },
      { sourceTag: 'type:models', onlyDependOnLibsWithTags: ['type:models', ...test] },
    ],
  };
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/coverage', '**/.nx'] },
  {
    files: ['**/src/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', moduleBoundaries({ testsMayUseTestSupport: false })],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Specs and their helpers may use the test-support libs; what ships may not.
    files: ['**/src/**/*.spec.ts', '**/src/**/*.test-util.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', moduleBoundaries({ testsMayUseTestSupport: true })],
    },
  },
];
