export * from './lib/seeded-random.js';
export * from './lib/synthetic-text.js';
export * from './lib/synthetic-records.js';
export * from './lib/synthesize-frames.js';
