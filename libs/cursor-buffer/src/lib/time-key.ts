/** Byte length of an event key: `time_us` as an unsigned 64-bit big-endian integer. */
export const TIME_KEY_BYTES = 8;

const HIGH_WORD = 2 ** 32;

/**
 * Writes `timeUs` as 8 bytes big-endian at `offset`, so that byte order equals numeric order
 * (unlike v1's decimal keys, which sort wrongly once `time_us` gains a 17th digit).
 */
export function writeTimeKey(timeUs: number, target: Uint8Array, offset = 0): number {
  if (!Number.isSafeInteger(timeUs) || timeUs < 0) {
    throw new RangeError(`time_us must be a non-negative safe integer, got ${timeUs}`);
  }
  // Byte by byte: lmdb calls this for every key, and a DataView per call costs more.
  let high = Math.floor(timeUs / HIGH_WORD);
  let low = timeUs % HIGH_WORD;
  for (let index = 3; index >= 0; index--) {
    target[offset + index] = high & 0xff;
    target[offset + 4 + index] = low & 0xff;
    high >>>= 8;
    low = Math.floor(low / 256);
  }
  return offset + TIME_KEY_BYTES;
}

/** Reads a key written by {@link writeTimeKey}. */
export function readTimeKey(source: Uint8Array, offset = 0): number {
  let high = 0;
  let low = 0;
  for (let index = 0; index < 4; index++) {
    high = high * 256 + source[offset + index];
    low = low * 256 + source[offset + 4 + index];
  }
  return high * HIGH_WORD + low;
}

/** The key bytes of `timeUs`. */
export function encodeTimeKey(timeUs: number): Uint8Array {
  const key = new Uint8Array(TIME_KEY_BYTES);
  writeTimeKey(timeUs, key);
  return key;
}

/** Clamps a reader-supplied position to the key space (cursors may be negative or huge). */
export function clampTimeUs(timeUs: number): number {
  if (Number.isNaN(timeUs) || timeUs <= 0) return 0;
  return Math.min(Math.floor(timeUs), Number.MAX_SAFE_INTEGER);
}
