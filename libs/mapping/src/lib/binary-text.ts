import { CID } from 'multiformats/cid';
import { bases } from 'multiformats/basics';
import { base58btc } from 'multiformats/bases/base58';
import { JsonWriter } from './json-writer.js';

/** Text forms of binary values in v1 JSON: CIDs (`$link`) and bytes (`$bytes`). */

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) BASE64_VALUES[BASE64.charCodeAt(i)] = i;

const SHA2_256 = 0x12;
const SHA2_256_LENGTH = 32;

/** True when the binary CID in `bytes[start, end)` is a CIDv0 (a bare sha-256 multihash). */
function isCidV0(bytes: Uint8Array, start: number, end: number): boolean {
  return end - start === 2 + SHA2_256_LENGTH && bytes[start] === SHA2_256 && bytes[start + 1] === SHA2_256_LENGTH;
}

/**
 * True when `bytes[start, end)` is exactly one well-formed binary CID: a CIDv0, or a CIDv1
 * (version, codec, multihash code and digest length varints, then the digest).
 */
export function isBinaryCid(bytes: Uint8Array, start: number, end: number): boolean {
  if (isCidV0(bytes, start, end)) return true;
  let pos = start;
  const fields = [0, 0, 0, 0];
  for (let field = 0; field < 4; field++) {
    let value = 0;
    let factor = 1;
    for (let i = 0; ; i++) {
      if (pos >= end || i >= 7) return false;
      const byte = bytes[pos++];
      value += (byte & 0x7f) * factor;
      if (byte < 0x80) break;
      factor *= 128;
    }
    fields[field] = value;
  }
  return fields[0] === 1 && pos + fields[3] === end;
}

/**
 * Writes a binary CID in its string form (the `cid.String()` of go-cid and multiformats):
 * base58btc for CIDv0, multibase base32 (`b…`) for CIDv1. The bytes must pass `isBinaryCid`.
 */
export function writeCidText(writer: JsonWriter, bytes: Uint8Array, start: number, end: number): void {
  if (isCidV0(bytes, start, end)) {
    writer.raw(base58btc.baseEncode(bytes.subarray(start, end)));
    return;
  }
  writer.reserve(1 + Math.ceil(((end - start) * 8) / 5));
  const { buffer } = writer;
  let length = writer.length;
  buffer[length++] = 0x62; // 'b'
  let bits = 0;
  let value = 0;
  for (let i = start; i < end; i++) {
    value = ((value << 8) | bytes[i]) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      buffer[length++] = BASE32.charCodeAt((value >> bits) & 31);
    }
  }
  if (bits > 0) buffer[length++] = BASE32.charCodeAt((value << (5 - bits)) & 31);
  writer.length = length;
}

/**
 * The string form of a CID, as `cid.toString()` gives it, without multiformats' per-CID string
 * cache (a WeakMap entry per CID, which costs more than encoding the few bytes again).
 */
export function cidToString(cid: CID): string {
  const { bytes } = cid;
  const writer = cidTextWriter;
  writer.reset();
  writeCidText(writer, bytes, 0, bytes.length);
  return writer.text();
}

/** Reused by `cidToString`: synchronous and never re-entered. */
const cidTextWriter = new JsonWriter();

/** Standard base64 without padding (Go `base64.RawStdEncoding`). */
export function writeBase64(writer: JsonWriter, bytes: Uint8Array, start: number, end: number): void {
  writer.reserve(Math.ceil(((end - start) * 4) / 3));
  const { buffer } = writer;
  let length = writer.length;
  let i = start;
  for (; i + 3 <= end; i += 3) {
    const triple = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    buffer[length++] = BASE64.charCodeAt(triple >> 18);
    buffer[length++] = BASE64.charCodeAt((triple >> 12) & 63);
    buffer[length++] = BASE64.charCodeAt((triple >> 6) & 63);
    buffer[length++] = BASE64.charCodeAt(triple & 63);
  }
  const rest = end - i;
  if (rest === 1) {
    buffer[length++] = BASE64.charCodeAt(bytes[i] >> 2);
    buffer[length++] = BASE64.charCodeAt((bytes[i] & 3) << 4);
  } else if (rest === 2) {
    const pair = (bytes[i] << 8) | bytes[i + 1];
    buffer[length++] = BASE64.charCodeAt(pair >> 10);
    buffer[length++] = BASE64.charCodeAt((pair >> 4) & 63);
    buffer[length++] = BASE64.charCodeAt((pair & 15) << 2);
  }
  writer.length = length;
}

/**
 * Decodes Go `base64.RawStdEncoding` text (no padding; CR and LF ignored, as Go does; the
 * unused low bits of the last character are not checked, as Go's non-strict decoder does not).
 * Returns undefined when the text is not valid.
 */
export function decodeRawStdBase64(text: string): Uint8Array | undefined {
  const digits: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0a || code === 0x0d) continue;
    const value = code < 128 ? BASE64_VALUES[code] : -1;
    if (value < 0) return undefined;
    digits.push(value);
  }
  if (digits.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((digits.length * 6) / 8));
  let bits = 0;
  let value = 0;
  let length = 0;
  for (const digit of digits) {
    value = ((value << 6) | digit) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[length++] = (value >> bits) & 0xff;
    }
  }
  return out;
}

/** Every multibase multiformats knows, by prefix character. */
const multibaseDecoders = new Map<string, { decode(text: string): Uint8Array }>(
  Object.values(bases).map((base) => [base.prefix, base.decoder]),
);

function decodeMultibase(text: string): Uint8Array {
  const prefix = String.fromCodePoint(text.codePointAt(0) ?? 0);
  const decoder = multibaseDecoders.get(prefix);
  if (decoder === undefined) throw new Error(`unknown multibase prefix ${prefix}`);
  return decoder.decode(text);
}

/**
 * Parses a CID string as go-cid's `cid.Decode` does (a base58 CIDv0 `Qm…`, or any multibase
 * CIDv1) and returns its canonical string, or undefined when it is not a CID.
 */
export function canonicalCidText(text: string): string | undefined {
  try {
    const cid = text.length === 46 && text.startsWith('Qm') ? CID.parse(text) : CID.decode(decodeMultibase(text));
    return cid.toString();
  } catch {
    return undefined;
  }
}

/** The canonical string of a binary CID, or undefined when the bytes are not one. */
export function cidTextOfBytes(bytes: Uint8Array): string | undefined {
  try {
    return CID.decode(bytes).toString();
  } catch {
    return undefined;
  }
}
