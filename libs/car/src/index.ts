export * from './lib/commit-budget.js';
export * from './lib/commit-records.js';
