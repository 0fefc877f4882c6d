export * from './lib/subscribe-endpoint.js';
export * from './lib/subscriber-session.js';
export * from './lib/subscriber-metrics.js';
export * from './lib/detect-slow-reader.js';
export * from './lib/log-tail-index.js';
export * from './lib/token-bucket.js';
export * from './lib/real-ip.js';
