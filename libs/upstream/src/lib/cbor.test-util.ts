/**
 * A minimal CBOR encoder for test frames (text-keyed maps of small integers and strings), so the
 * tests do not depend on the ESM-only CBOR packages. Hand-checkable: `{op: -1}` is a1 62 6f 70 20.
 */
export function cborMap(entries: Record<string, number | string>): Uint8Array {
  const parts = [head(5, Object.keys(entries).length)];
  for (const [key, value] of Object.entries(entries)) parts.push(text(key), typeof value === 'string' ? text(value) : int(value));
  return concatBytes(...parts);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  parts.reduce((offset, part) => (out.set(part, offset), offset + part.length), 0);
  return out;
}

function text(value: string): Uint8Array {
  const bytes = new TextEncoder().encode(value);
  return concatBytes(head(3, bytes.length), bytes);
}

function int(value: number): Uint8Array {
  return value >= 0 ? head(0, value) : head(1, -1 - value);
}

function head(major: number, argument: number): Uint8Array {
  if (argument < 24) return Uint8Array.of((major << 5) | argument);
  if (argument < 256) return Uint8Array.of((major << 5) | 24, argument);
  return Uint8Array.of((major << 5) | 25, argument >> 8, argument & 0xff);
}
