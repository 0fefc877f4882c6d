import { MAX_CBOR_NESTING } from '@jetstream-ts/models';
import { CID } from 'multiformats/cid';
import { Digest } from 'multiformats/hashes/digest';

/**
 * A minimal DAG-CBOR reader over a byte array: the hand-written fast path shared by the frame
 * decoder, the CAR scanner and the record converter. It reads values in place (byte and CID
 * bytes are zero-copy subarrays) and throws `CborError` on malformed input; callers that must
 * never throw catch it at their boundary.
 */

/** Malformed or unsupported DAG-CBOR. */
export class CborError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CborError';
  }
}

/** Containers nested deeper than `MAX_CBOR_NESTING`. */
export class CborNestingError extends CborError {
  constructor() {
    super(`nested more than ${MAX_CBOR_NESTING} levels`);
    this.name = 'CborNestingError';
  }
}

export const CBOR_UINT = 0;
export const CBOR_NEGINT = 1;
export const CBOR_BYTES = 2;
export const CBOR_TEXT = 3;
export const CBOR_ARRAY = 4;
export const CBOR_MAP = 5;
export const CBOR_TAG = 6;
export const CBOR_SIMPLE = 7;

/** CBOR tag 42: an IPLD link, a byte string holding 0x00 then the binary CID. */
export const CID_TAG = 42;

const CBOR_FALSE = 0xf4;
const CBOR_TRUE = 0xf5;
const CBOR_NULL = 0xf6;

const TWO_POW_32 = 0x1_0000_0000;
const SHORT_STRING = 32;
const utf8Decoder = new TextDecoder();

export class CborReader {
  pos: number;
  /** A Buffer view of `bytes`, made on the first ASCII string: Node's latin1 decoding is the fastest. */
  private latin1View: Buffer | undefined;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  /** True when every byte up to `end` has been read. */
  atEnd(): boolean {
    return this.pos === this.end;
  }

  /** The major type of the next value, without consuming it. */
  peekMajor(): number {
    if (this.pos >= this.end) throw new CborError('unexpected end of data');
    return this.bytes[this.pos] >> 5;
  }

  /** True (and consumed) when the next value is `null`. */
  readNull(): boolean {
    if (this.pos < this.end && this.bytes[this.pos] === CBOR_NULL) {
      this.pos++;
      return true;
    }
    return false;
  }

  /**
   * Reads the head of a value of the given major type and returns its argument (a length, an
   * integer or a tag number). Arguments beyond 2^53 are returned as an inexact number: only
   * integer readers care, and they check `Number.isSafeInteger`.
   */
  readHead(major: number): number {
    const { bytes } = this;
    if (this.pos >= this.end) throw new CborError('unexpected end of data');
    const initial = bytes[this.pos++];
    if (initial >> 5 !== major) throw new CborError(`expected major type ${major}, found ${initial >> 5}`);
    const info = initial & 0x1f;
    if (info < 24) return info;
    switch (info) {
      case 24:
        this.need(1);
        return bytes[this.pos++];
      case 25: {
        this.need(2);
        const value = (bytes[this.pos] << 8) | bytes[this.pos + 1];
        this.pos += 2;
        return value;
      }
      case 26: {
        this.need(4);
        const value = this.uint32(this.pos);
        this.pos += 4;
        return value;
      }
      case 27: {
        this.need(8);
        const value = this.uint32(this.pos) * TWO_POW_32 + this.uint32(this.pos + 4);
        this.pos += 8;
        return value;
      }
      default:
        throw new CborError(info === 31 ? 'indefinite length is not DAG-CBOR' : `reserved additional info ${info}`);
    }
  }

  /** A safe integer (major type 0 or 1). */
  readInteger(): number {
    const major = this.peekMajor();
    if (major !== CBOR_UINT && major !== CBOR_NEGINT) throw new CborError('expected an integer');
    const argument = this.readHead(major);
    const value = major === CBOR_UINT ? argument : -1 - argument;
    if (!Number.isSafeInteger(value)) throw new CborError('integer beyond 2^53');
    return value;
  }

  readBoolean(): boolean {
    if (this.pos < this.end) {
      const byte = this.bytes[this.pos];
      if (byte === CBOR_TRUE || byte === CBOR_FALSE) {
        this.pos++;
        return byte === CBOR_TRUE;
      }
    }
    throw new CborError('expected a boolean');
  }

  /** A text string, decoded from UTF-8 (invalid sequences become U+FFFD). */
  readText(): string {
    const length = this.readHead(CBOR_TEXT);
    this.need(length);
    const { bytes } = this;
    const start = this.pos;
    const end = start + length;
    this.pos = end;
    for (let i = start; i < end; i++) if (bytes[i] >= 0x80) return utf8Decoder.decode(bytes.subarray(start, end));
    this.latin1View ??= Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return this.latin1View.toString('latin1', start, end);
  }

  /** A byte string, as a zero-copy subarray. */
  readByteString(): Uint8Array {
    const start = this.readByteStringStart();
    return this.bytes.subarray(start, this.pos);
  }

  /** The binary CID of a tag-42 link (the leading 0x00 stripped), as a zero-copy subarray. */
  readCidBytes(): Uint8Array {
    const start = this.readCidStart();
    return this.bytes.subarray(start, this.pos);
  }

  /**
   * Reads a tag-42 link in place: returns where its binary CID starts; it ends at `pos`.
   * For hot loops that compare CIDs by bytes without building objects.
   */
  readCidStart(): number {
    if (this.readHead(CBOR_TAG) !== CID_TAG) throw new CborError('expected a CID (tag 42)');
    const length = this.readHead(CBOR_BYTES);
    this.need(length);
    if (length < 2 || this.bytes[this.pos] !== 0) throw new CborError('invalid CID for CBOR tag 42; expected leading 0x00');
    const start = this.pos + 1;
    this.pos += length;
    return start;
  }

  /** Reads a byte string in place: returns where its content starts; it ends at `pos`. */
  readByteStringStart(): number {
    const length = this.readHead(CBOR_BYTES);
    this.need(length);
    const start = this.pos;
    this.pos += length;
    return start;
  }

  readCid(): CID {
    return cidFromBytes(this.readCidBytes());
  }

  /**
   * Reads a map key (a text string) and returns its index in `keys`, or -1 for a key not in
   * the set: the decoders dispatch on known keys without allocating a string per key.
   */
  readKey(keys: KeySet): number {
    const length = this.readHead(CBOR_TEXT);
    this.need(length);
    const start = this.pos;
    this.pos += length;
    return keys.indexOf(this.bytes, start, length);
  }

  readMapLength(): number {
    return this.readHead(CBOR_MAP);
  }

  readArrayLength(): number {
    return this.readHead(CBOR_ARRAY);
  }

  /**
   * Skips one whole value, checking its structure. Containers nested more than
   * `MAX_CBOR_NESTING` deep (counting from `depth`) are refused rather than recursed into, so
   * that crafted input cannot exhaust the stack.
   */
  skipValue(depth = 0): void {
    const major = this.peekMajor();
    if (major === CBOR_SIMPLE) {
      this.skipSimple();
      return;
    }
    if (major === CBOR_TAG) {
      this.readCidBytes();
      return;
    }
    const argument = this.readHead(major);
    switch (major) {
      case CBOR_BYTES:
      case CBOR_TEXT:
        this.need(argument);
        this.pos += argument;
        return;
      case CBOR_ARRAY:
        if (depth >= MAX_CBOR_NESTING) throw new CborNestingError();
        for (let i = 0; i < argument; i++) this.skipValue(depth + 1);
        return;
      case CBOR_MAP:
        if (depth >= MAX_CBOR_NESTING) throw new CborNestingError();
        for (let i = 0; i < argument; i++) {
          if (this.peekMajor() !== CBOR_TEXT) throw new CborError('map keys must be strings');
          this.skipValue(depth + 1);
          this.skipValue(depth + 1);
        }
        return;
      default:
        return;
    }
  }

  private skipSimple(): void {
    const initial = this.bytes[this.pos++];
    switch (initial & 0x1f) {
      case 20:
      case 21:
      case 22:
        return;
      case 25:
        this.need(2);
        this.pos += 2;
        return;
      case 26:
        this.need(4);
        this.pos += 4;
        return;
      case 27:
        this.need(8);
        this.pos += 8;
        return;
      default:
        throw new CborError(`unsupported simple value ${initial & 0x1f}`);
    }
  }

  private need(length: number): void {
    if (length > this.end - this.pos) throw new CborError('unexpected end of data');
  }

  private uint32(at: number): number {
    const { bytes } = this;
    return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
  }
}

/**
 * A CID from its binary form. CIDv1 with one-byte varints (every atproto CID) is built
 * directly over the bytes (no copy, no re-encoding); anything else goes through `CID.decode`.
 */
export function cidFromBytes(bytes: Uint8Array): CID {
  const length = bytes.length;
  if (length >= 4 && bytes[0] === 1 && bytes[1] < 0x80 && bytes[2] < 0x80 && bytes[3] < 0x80 && length === 4 + bytes[3]) {
    const digest = new Digest(bytes[2], bytes[3], bytes.subarray(4), bytes.subarray(2));
    return new CID(1, bytes[1], digest, bytes);
  }
  try {
    return CID.decode(bytes);
  } catch (error) {
    throw new CborError(`invalid CID: ${(error as Error).message}`);
  }
}

/** A fixed set of map keys, matched against key bytes in place. */
export class KeySet<Key extends string = string> {
  /** Each key's index, for `switch (reader.readKey(set))` with readable cases. */
  readonly id: Readonly<Record<Key, number>>;
  /** The keys by byte length: `byLength[n]` holds the keys of n bytes. */
  private readonly byLength: { bytes: Uint8Array; index: number }[][] = [];

  constructor(keys: readonly Key[]) {
    const id = {} as Record<Key, number>;
    keys.forEach((key, index) => {
      id[key] = index;
      const bytes = new TextEncoder().encode(key);
      for (let length = this.byLength.length; length <= bytes.length; length++) this.byLength.push([]);
      this.byLength[bytes.length].push({ bytes, index });
    });
    this.id = id;
  }

  /** The index of the key whose UTF-8 bytes are `bytes[start, start + length)`, or -1. */
  indexOf(bytes: Uint8Array, start: number, length: number): number {
    if (length >= this.byLength.length) return -1;
    const candidates = this.byLength[length];
    for (const candidate of candidates) {
      const key = candidate.bytes;
      let i = 0;
      while (i < length && bytes[start + i] === key[i]) i++;
      if (i === length) return candidate.index;
    }
    return -1;
  }
}

/** Decodes UTF-8 bytes to a string; short ASCII runs skip the TextDecoder call. */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= SHORT_STRING) {
    let text = '';
    for (let i = start; i < end; i++) {
      const byte = bytes[i];
      if (byte >= 0x80) return utf8Decoder.decode(bytes.subarray(start, end));
      text += String.fromCharCode(byte);
    }
    return text;
  }
  return utf8Decoder.decode(bytes.subarray(start, end));
}
