export * from './lib/commit-records.js';
export * from './lib/commit-records-with-library.js';
export * from './lib/extract-records.js';
