import { readFileSync } from 'node:fs';

/**
 * The Jetstream v1 zstd dictionary (112,640 bytes, dictionary ID 1612007021). Every v1 client
 * decodes with exactly this dictionary, so the server must compress with it.
 */
export function loadV1Dictionary(): Uint8Array {
  // The same relative path from src/lib (tests) and dist/lib (run time).
  return readFileSync(new URL('../../assets/zstd_dictionary_v1', import.meta.url));
}

/** Reads the dictionary ID from a zstd frame header, or undefined when the frame carries none. */
export function frameDictionaryId(frame: Uint8Array): number | undefined {
  if (frame.length < 6) return undefined;
  const descriptor = frame[4];
  const dictIdSize = [0, 1, 2, 4][descriptor & 0b11];
  if (dictIdSize === 0) return undefined;
  const singleSegment = (descriptor >> 5) & 1;
  const start = 5 + (singleSegment ? 0 : 1);
  let id = 0;
  for (let i = dictIdSize - 1; i >= 0; i--) id = id * 256 + frame[start + i];
  return id;
}
