import { createV1Compressor } from '@jetstream-ts/compression';
import { decodeFrame } from '@jetstream-ts/frames';
import { encodeEventJson, frameToEvents } from '@jetstream-ts/mapping';

/** Ours, to v1 JSON: decodeFrame → frameToEvents → encodeEventJson. Returns the JSON bytes per event. */
export function jetstreamFrameToJson(frame: Uint8Array): Uint8Array[] {
  return frameToEvents(decodeFrame(frame)).map(encodeEventJson);
}

/**
 * Ours, to v1 JSON and zstd with the v1 dictionary (each event compressed alone, as the server
 * stores and sends it). Returns a function giving the zstd bytes per event.
 */
export function createJetstreamFrameToZstd(): (frame: Uint8Array) => Uint8Array[] {
  const compressor = createV1Compressor();
  return (frame) =>
    frameToEvents(decodeFrame(frame)).map((event) => compressor.compress(encodeEventJson(event)));
}
