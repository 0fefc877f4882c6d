export * from './lib/relay-frames.js';
export * from './lib/relay-socket.js';
export * from './lib/relay-url.js';
export * from './lib/relay-error-frame.js';
export * from './lib/backoff.js';
export * from './lib/upstream-status.js';
export * from './lib/subscribe-repos-url.js';
export * from './lib/record-relay.js';
