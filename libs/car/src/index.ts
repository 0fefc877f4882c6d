export * from './lib/commit-records.js';
export * from './lib/extract-records.js';
