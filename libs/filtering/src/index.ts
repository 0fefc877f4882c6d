export * from './lib/subscriber-filter.js';
export * from './lib/subscribe-request.js';
export * from './lib/options-update.js';
export * from './lib/max-message-size.js';
export * from './lib/close-reason.js';
