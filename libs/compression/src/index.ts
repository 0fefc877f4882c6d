export * from './lib/dictionary.js';
export * from './lib/codec.js';
export * from './lib/compress-events.js';
