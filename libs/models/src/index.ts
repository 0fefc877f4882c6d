export * from './lib/frames.js';
export * from './lib/events.js';
export * from './lib/drops.js';
export * from './lib/limits.js';
export * from './lib/identifiers.js';
export * from './lib/event-log.js';
