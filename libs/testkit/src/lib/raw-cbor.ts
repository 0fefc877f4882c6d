import type { CID } from 'multiformats/cid';

/**
 * Hand-assembled CBOR, for records a DAG-CBOR encoder refuses to write or would normalise:
 * integral floats (`2.0`), 64-bit integers, invalid UTF-8 text, keys in a chosen order. Each
 * helper returns the encoded bytes of one item; containers take already encoded items.
 */

const MAJOR_UNSIGNED = 0;
const MAJOR_NEGATIVE = 1;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
const MAJOR_TAG = 6;
const CID_TAG = 42;
const utf8 = new TextEncoder();

/** The head of an item: major type and argument, in the shortest form (as DAG-CBOR requires). */
function head(major: number, argument: number | bigint): Uint8Array {
  const value = BigInt(argument);
  const type = major << 5;
  if (value < 24n) return Uint8Array.of(type | Number(value));
  if (value < 0x100n) return Uint8Array.of(type | 24, Number(value));
  if (value < 0x10000n) return Uint8Array.of(type | 25, Number(value >> 8n), Number(value & 0xffn));
  const wide = value < 0x100000000n;
  const out = new Uint8Array(wide ? 5 : 9);
  const view = new DataView(out.buffer);
  out[0] = type | (wide ? 26 : 27);
  if (wide) view.setUint32(1, Number(value));
  else view.setBigUint64(1, value);
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** An integer of any size that fits CBOR (−2^64 … 2^64−1). */
export function cborInt(value: number | bigint): Uint8Array {
  const big = BigInt(value);
  return big >= 0n ? head(MAJOR_UNSIGNED, big) : head(MAJOR_NEGATIVE, -1n - big);
}

/** A 64-bit float, even when the value is integral (DAG-CBOR encoders would write an int). */
export function cborFloat64(value: number): Uint8Array {
  const out = new Uint8Array(9);
  out[0] = 0xfb;
  new DataView(out.buffer).setFloat64(1, value);
  return out;
}

export function cborText(value: string): Uint8Array {
  return cborTextBytes(utf8.encode(value));
}

/** A text string made of arbitrary bytes, e.g. invalid UTF-8. */
export function cborTextBytes(bytes: Uint8Array): Uint8Array {
  return concatBytes([head(MAJOR_TEXT, bytes.length), bytes]);
}

export function cborBytes(bytes: Uint8Array): Uint8Array {
  return concatBytes([head(MAJOR_BYTES, bytes.length), bytes]);
}

export function cborBool(value: boolean): Uint8Array {
  return Uint8Array.of(value ? 0xf5 : 0xf4);
}

export function cborNull(): Uint8Array {
  return Uint8Array.of(0xf6);
}

/** A CID link: tag 42 over the CID bytes with the identity-multibase 0x00 prefix. */
export function cborCid(cid: CID): Uint8Array {
  return concatBytes([head(MAJOR_TAG, CID_TAG), cborBytes(concatBytes([Uint8Array.of(0), cid.bytes]))]);
}

export function cborArray(items: readonly Uint8Array[]): Uint8Array {
  return concatBytes([head(MAJOR_ARRAY, items.length), ...items]);
}

/**
 * A map. Keys are sorted in DAG-CBOR canonical order (shorter first, then bytewise), as a real
 * record is, unless `keepOrder` is set. A key may be raw bytes to write invalid UTF-8.
 */
export function cborMap(
  entries: ReadonlyArray<readonly [string | Uint8Array, Uint8Array]>,
  options: { keepOrder?: boolean } = {},
): Uint8Array {
  const encoded = entries.map(([key, value]) => [typeof key === 'string' ? utf8.encode(key) : key, value] as const);
  if (!options.keepOrder) encoded.sort(([a], [b]) => compareCanonicalKeys(a, b));
  return concatBytes([
    head(MAJOR_MAP, encoded.length),
    ...encoded.flatMap(([key, value]) => [cborTextBytes(key), value]),
  ]);
}

function compareCanonicalKeys(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
