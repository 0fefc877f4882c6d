export * from './lib/commit-budget.js';
export * from './lib/commit-records.js';
export * from './lib/extract-records.js';
