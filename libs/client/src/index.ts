export * from './lib/events.js';
export * from './lib/jetstream.js';
export * from './lib/client-socket.js';
export * from './lib/subscribe-url.js';
export * from './lib/reconnect-delay.js';
export * from './lib/zstd-decoder.js';
