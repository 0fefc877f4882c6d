export * from './lib/plugin.js';
export * from './lib/contained-operator.js';
export * from './lib/contain-plugin.js';
export * from './lib/load-plugins.js';
