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
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  view.setUint32(offset, Math.floor(timeUs / HIGH_WORD));
  view.setUint32(offset + 4, timeUs % HIGH_WORD);
  return offset + TIME_KEY_BYTES;
}

/** Reads a key written by {@link writeTimeKey}. */
export function readTimeKey(source: Uint8Array, offset = 0): number {
  const view = new DataView(source.buffer, source.byteOffset, source.byteLength);
  return view.getUint32(offset) * HIGH_WORD + view.getUint32(offset + 4);
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
