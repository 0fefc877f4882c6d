export * from './lib/event-store.js';
export * from './lib/lmdb-event-store.js';
export * from './lib/memory-event-store.js';
export * from './lib/cursor-buffer.js';
export * from './lib/commit-frames.js';
export * from './lib/expire-events.js';
export * from './lib/stored-event.js';
export * from './lib/time-key.js';
