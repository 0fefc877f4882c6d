export * from './lib/config.js';
export * from './lib/run-server.js';
