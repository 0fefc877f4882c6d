export * from './lib/metric-names.js';
export * from './lib/create-metrics.js';
export * from './lib/metrics-drop-reporter.js';
export * from './lib/count-frames.js';
export * from './lib/count-sequenced.js';
export * from './lib/count-appended.js';
export * from './lib/time-commit-processing.js';
