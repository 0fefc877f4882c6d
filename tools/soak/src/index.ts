export * from './lib/soak-cases.js';
