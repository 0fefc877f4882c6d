export * from './lib/cbor-reader.js';
export * from './lib/decode-frame.js';
export * from './lib/decode-frame-with-library.js';
export * from './lib/decode-frames.js';
export * from './lib/encode-frame.js';
export * from './lib/frame-log.js';
