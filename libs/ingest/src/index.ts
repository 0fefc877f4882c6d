export * from './lib/ingest-frames.js';
export * from './lib/ingest-plugin.js';
export * from './lib/ingest-progress.js';
