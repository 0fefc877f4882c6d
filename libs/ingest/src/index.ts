export * from './lib/ingest-frames.js';
export * from './lib/ingest-progress.js';
export * from './lib/v1-ingest-stages.js';
