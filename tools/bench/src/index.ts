export * from './lib/atcute-pipeline.js';
export * from './lib/bench-input.js';
export * from './lib/bench-report.js';
export * from './lib/ingest-contestants.js';
export * from './lib/interleaved-rounds.js';
export * from './lib/jetstream-pipelines.js';
export * from './lib/naive-pipeline.js';
