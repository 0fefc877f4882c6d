export * from './lib/start-test-pds.js';
export * from './lib/pds-script.js';
