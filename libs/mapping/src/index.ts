export * from './lib/record-conversion-error.js';
export * from './lib/record-to-json.js';
export * from './lib/rfc3339.js';
export * from './lib/frame-to-events.js';
export * from './lib/to-jetstream-events.js';
export * from './lib/encode-event-json.js';
export * from './lib/encode-event.js';
