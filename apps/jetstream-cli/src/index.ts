export * from './lib/cli-io.js';
export * from './lib/program.js';
export * from './lib/convert-command.js';
export * from './lib/inspect-command.js';
export * from './lib/counting-drop-reporter.js';
export * from './lib/frame-log-inspector.js';
export * from './lib/size-distribution.js';
