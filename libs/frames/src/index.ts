export {};
export * from './lib/frame-log.js';
