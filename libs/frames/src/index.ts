export * from './lib/cbor-reader.js';
export * from './lib/decode-frame.js';
export * from './lib/decode-frames.js';
export * from './lib/frame-log.js';
