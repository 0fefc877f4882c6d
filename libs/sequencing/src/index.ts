export * from './lib/sequence.js';
