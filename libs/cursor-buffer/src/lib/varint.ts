/** Unsigned LEB128 for integers up to 2^53 (arithmetic, not bit operators, past 32 bits). */

export function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    length += 1;
  }
  return length;
}

export function writeVarint(value: number, target: Uint8Array, offset: number): number {
  while (value >= 0x80) {
    target[offset++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  target[offset++] = value;
  return offset;
}

/** Returns the value and the offset after it. */
export function readVarint(source: Uint8Array, offset: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (offset >= source.length) throw new RangeError('truncated varint');
    const byte = source[offset++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, offset];
    scale *= 0x80;
  }
}
