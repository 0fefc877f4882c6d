export * from './lib/fake-relay.js';
export * from './lib/relay-faults.js';
export * from './lib/relay-timeline.js';
export * from './lib/rewrite-frame-seq.js';
