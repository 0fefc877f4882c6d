import {
  CBOR_ARRAY,
  CBOR_BYTES,
  CBOR_MAP,
  CBOR_NEGINT,
  CBOR_SIMPLE,
  CBOR_TAG,
  CBOR_TEXT,
  CBOR_UINT,
  CborNestingError,
  CborReader,
  decodeUtf8,
} from '@jetstream-ts/frames';
import {
  MAX_CBOR_NESTING,
  MAX_RECORD_CBOR_BYTES,
  MAX_RECORD_CONTAINER_ENTRIES,
  MAX_RECORD_KEY_BYTES,
  MAX_RECORD_STRING_BYTES,
  type RecordJson,
} from '@jetstream-ts/models';
import { canonicalCidText, cidTextOfBytes, decodeRawStdBase64, isBinaryCid, writeBase64, writeCidText } from './binary-text.js';
import { JsonWriter, asciiNeedsEscape, utf8SequenceLength } from './json-writer.js';
import { RecordConversionError } from './record-conversion-error.js';

/**
 * Converts a record's DAG-CBOR bytes to its exact v1 JSON text (reference §2.6: indigo
 * `atdata.UnmarshalCBOR`, then goccy `json.Marshal`), writing JSON straight from the CBOR bytes
 * with no intermediate objects:
 * - maps with keys sorted by their JSON-encoded bytes; a blob as `$type, ref, mimeType, size`;
 *   a legacy blob `{cid, mimeType}`; `$link`/`$bytes` maps re-encoded after validation;
 * - CIDs as `{"$link":"<cid>"}`, bytes as `{"$bytes":"<base64, no padding>"}`;
 * - integers exact over the whole int64 range; integral floats as integers;
 * - strings with Go's escaping (see `JsonWriter`).
 *
 * @param cbor The record block's bytes.
 * @return The record JSON.
 * @throws RecordConversionError when v1 would drop the op (its `reason` says why).
 */
export function recordToJson(cbor: Uint8Array): RecordJson {
  if (cbor.length > MAX_RECORD_CBOR_BYTES) throw new RecordConversionError('record-too-large', `${cbor.length} bytes`);
  const writer = sharedWriter;
  writer.reset();
  const converter = new RecordConverter(cbor, writer);
  converter.record();
  return writer.text() as RecordJson;
}

/**
 * One writer reused by every call: conversion is synchronous and never re-entered, so no two
 * conversions share it at once, and the hot path allocates no output buffer.
 */
const sharedWriter = new JsonWriter();

/** Deeper nesting is refused rather than risking the stack (atproto data is a few levels deep). */
const MAX_DEPTH = MAX_CBOR_NESTING;
/**
 * Each map skips over its values to find its keys before converting them in key order, so a
 * byte inside n maps is skipped n times: crafted nesting (`{"a": {"a": … [100,000 items]}}`)
 * would make a record cost its size × its depth. Real records nest maps a few levels deep; a
 * record whose maps skip more than this many times its size, plus `SKIP_ALLOWANCE` bytes, is
 * dropped (`too-complex`).
 */
const MAX_SKIP_FACTOR = 4;
/** Enough for the most nesting allowed (`MAX_DEPTH` maps around nothing skip ~393 KB). */
const SKIP_ALLOWANCE = 512 * 1024;
/** Maps with fewer entries are sorted by insertion (records' usual few keys); larger ones by `Array.prototype.sort`. */
const INSERTION_SORT_ENTRIES = 16;

const DOLLAR = 0x24;
const TWO_POW_63 = 2 ** 63;

/** Keys that have a meaning in the atproto data model, as UTF-8 bytes. */
const KEY = {
  link: bytesOf('$link'),
  bytes: bytesOf('$bytes'),
  type: bytesOf('$type'),
  cid: bytesOf('cid'),
  mimeType: bytesOf('mimeType'),
  ref: bytesOf('ref'),
  size: bytesOf('size'),
};
const BLOB_TYPE = bytesOf('blob');

function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** A map entry: where its key and value are, and the key's JSON-encoded form (for sorting). */
interface Entry {
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  /** The bytes holding the key as it is written in JSON: the CBOR itself, or an escaped copy. */
  jsonKey: Uint8Array;
  jsonKeyStart: number;
  jsonKeyEnd: number;
}

class RecordConverter {
  private readonly reader: CborReader;
  private floatView: DataView | undefined;
  /** Bytes the maps may still skip over (see MAX_SKIP_FACTOR). */
  private skipBudget: number;

  constructor(
    private readonly cbor: Uint8Array,
    private readonly out: JsonWriter,
  ) {
    this.reader = new CborReader(cbor);
    this.skipBudget = cbor.length * MAX_SKIP_FACTOR + SKIP_ALLOWANCE;
  }

  /** The whole record: one map that is an ordinary object (not a link, bytes or blob). */
  record(): void {
    try {
      if (this.reader.peekMajor() !== CBOR_MAP) throw new RecordConversionError('not-an-object', 'the record is not a map');
      if (this.map(0) !== 'object') throw new RecordConversionError('not-an-object', 'the record is a link, bytes or blob');
      if (!this.reader.atEnd()) throw new RecordConversionError('invalid-cbor', 'bytes after the record');
    } catch (error) {
      if (error instanceof RecordConversionError) throw error;
      throw new RecordConversionError(error instanceof CborNestingError ? 'too-deep' : 'invalid-cbor', (error as Error).message);
    }
  }

  private value(depth: number): void {
    const reader = this.reader;
    const { out } = this;
    const major = reader.peekMajor();
    switch (major) {
      case CBOR_UINT:
      case CBOR_NEGINT:
        this.integer(major);
        return;
      case CBOR_BYTES: {
        const bytes = reader.readByteString();
        out.raw('{"$bytes":"');
        writeBase64(out, bytes, 0, bytes.length);
        out.raw('"}');
        return;
      }
      case CBOR_TEXT: {
        const length = reader.readHead(CBOR_TEXT);
        if (length > MAX_RECORD_STRING_BYTES) throw new RecordConversionError('string-too-long', `${length} bytes`);
        const start = this.take(length);
        out.utf8String(this.cbor, start, start + length);
        return;
      }
      case CBOR_ARRAY: {
        if (depth >= MAX_DEPTH) throw new RecordConversionError('too-deep', `more than ${MAX_DEPTH} levels`);
        const count = reader.readArrayLength();
        if (count > MAX_RECORD_CONTAINER_ENTRIES) throw new RecordConversionError('too-many-entries', `array of ${count}`);
        out.byte(0x5b);
        for (let i = 0; i < count; i++) {
          if (i > 0) out.byte(0x2c);
          this.value(depth + 1);
        }
        out.byte(0x5d);
        return;
      }
      case CBOR_MAP:
        if (depth >= MAX_DEPTH) throw new RecordConversionError('too-deep', `more than ${MAX_DEPTH} levels`);
        this.map(depth + 1);
        return;
      case CBOR_TAG:
        this.link();
        return;
      case CBOR_SIMPLE:
        this.simple();
        return;
    }
  }

  private integer(major: number): void {
    const { reader, cbor } = this;
    const start = reader.pos;
    const argument = reader.readHead(major);
    if (Number.isSafeInteger(argument)) {
      this.out.integer(major === CBOR_UINT ? argument : -1 - argument);
      return;
    }
    // Beyond 2^53: recompute exactly from the 8 argument bytes; int64 is the range v1 accepts.
    const high = ((cbor[start + 1] << 24) | (cbor[start + 2] << 16) | (cbor[start + 3] << 8) | cbor[start + 4]) >>> 0;
    const low = ((cbor[start + 5] << 24) | (cbor[start + 6] << 16) | (cbor[start + 7] << 8) | cbor[start + 8]) >>> 0;
    if (high >= 0x8000_0000) throw new RecordConversionError('integer-out-of-range', 'beyond int64');
    const exact = (BigInt(high) << 32n) | BigInt(low);
    this.out.integer(major === CBOR_UINT ? exact : -1n - exact);
  }

  private simple(): void {
    const { cbor, reader } = this;
    const initial = cbor[reader.pos];
    switch (initial) {
      case 0xf4:
        reader.pos++;
        this.out.raw('false');
        return;
      case 0xf5:
        reader.pos++;
        this.out.raw('true');
        return;
      case 0xf6:
        reader.pos++;
        this.out.raw('null');
        return;
      case 0xf9:
      case 0xfa:
      case 0xfb:
        this.float(initial);
        return;
      default:
        throw new RecordConversionError('invalid-cbor', `unsupported simple value 0x${initial.toString(16)}`);
    }
  }

  /** A float is accepted only when it is integral and fits int64 (indigo `parseFloat`). */
  private float(initial: number): void {
    const { reader } = this;
    const start = reader.pos + 1;
    const size = initial === 0xf9 ? 2 : initial === 0xfa ? 4 : 8;
    this.take(1 + size);
    const view = (this.floatView ??= new DataView(this.cbor.buffer, this.cbor.byteOffset, this.cbor.byteLength));
    const value = size === 8 ? view.getFloat64(start) : size === 4 ? view.getFloat32(start) : halfToNumber(view.getUint16(start));
    if (!Number.isInteger(value) || value < -TWO_POW_63 || value >= TWO_POW_63)
      throw new RecordConversionError('float-not-integral', String(value));
    this.out.integer(Number.isSafeInteger(value) ? value : BigInt(value));
  }

  /** A tag-42 CID → `{"$link":"<cid>"}`. */
  private link(): void {
    const bytes = this.cidBytes();
    this.out.raw('{"$link":"');
    writeCidText(this.out, bytes, 0, bytes.length);
    this.out.raw('"}');
  }

  private cidBytes(): Uint8Array {
    let bytes: Uint8Array;
    try {
      bytes = this.reader.readCidBytes();
    } catch (error) {
      throw new RecordConversionError('invalid-link', (error as Error).message);
    }
    if (!isBinaryCid(bytes, 0, bytes.length)) throw new RecordConversionError('invalid-link', 'malformed CID');
    return bytes;
  }

  /**
   * A map, in indigo `parseMap`'s order of rules: `$link` → link, `$bytes` → bytes, `$type`
   * (must be a non-empty string; `blob` → blob), `{cid, mimeType}` → legacy blob, else an
   * ordinary object. Returns which it was.
   */
  private map(depth: number): 'object' | 'special' {
    const { reader, cbor } = this;
    const count = reader.readMapLength();
    if (count > MAX_RECORD_CONTAINER_ENTRIES) throw new RecordConversionError('too-many-entries', `map of ${count}`);
    const entries: Entry[] = new Array<Entry>(count);
    // Keys with a meaning in the data model, found while the entries are collected.
    let link: Entry | undefined;
    let bytes: Entry | undefined;
    let type: Entry | undefined;
    let cid: Entry | undefined;
    let mimeType: Entry | undefined;
    for (let i = 0; i < count; i++) {
      if (reader.peekMajor() !== CBOR_TEXT) throw new RecordConversionError('invalid-cbor', 'map key is not a string');
      const length = reader.readHead(CBOR_TEXT);
      const keyStart = this.take(length);
      const keyEnd = keyStart + length;
      const valueStart = reader.pos;
      reader.skipValue(depth);
      this.skipBudget -= reader.pos - valueStart;
      if (this.skipBudget < 0) throw new RecordConversionError('too-complex', `maps nested so that converting skips more than ${MAX_SKIP_FACTOR}× the record's size`);
      const entry: Entry = { keyStart, keyEnd, valueStart, jsonKey: cbor, jsonKeyStart: keyStart, jsonKeyEnd: keyEnd };
      entries[i] = entry;
      if (length < 3 || length > 8) continue;
      if (cbor[keyStart] === DOLLAR) {
        if (this.equals(keyStart, keyEnd, KEY.type)) type = entry;
        else if (this.equals(keyStart, keyEnd, KEY.link)) link = entry;
        else if (this.equals(keyStart, keyEnd, KEY.bytes)) bytes = entry;
      } else if (count === 2) {
        if (this.equals(keyStart, keyEnd, KEY.cid)) cid = entry;
        else if (this.equals(keyStart, keyEnd, KEY.mimeType)) mimeType = entry;
      }
    }
    const end = reader.pos;
    let special = true;
    if (link !== undefined) this.linkMap(entries);
    else if (bytes !== undefined) this.bytesMap(entries);
    else if (type !== undefined && this.isBlobType(type)) this.blob(entries);
    else if (type === undefined && cid !== undefined && mimeType !== undefined) this.legacyBlob(cid, mimeType);
    else special = false;
    if (!special) this.object(entries, depth);
    reader.pos = end;
    return special ? 'special' : 'object';
  }

  /** True for `$type: "blob"`; throws unless `$type` is a non-empty string. */
  private isBlobType(type: Entry): boolean {
    const { start, end } = this.textAt(type.valueStart, 'invalid-type', '$type field must contain a non-empty string');
    if (start === end) throw new RecordConversionError('invalid-type', '$type field must contain a non-empty string');
    return this.equals(start, end, BLOB_TYPE);
  }

  private linkMap(entries: Entry[]): void {
    if (entries.length !== 1) throw new RecordConversionError('invalid-link', '$link objects must have a single field');
    const text = this.linkText(entries[0]);
    this.out.raw('{"$link":"');
    this.out.raw(text);
    this.out.raw('"}');
  }

  /** The canonical CID string of a `{"$link": "<cid>"}` map's value. */
  private linkText(entry: Entry): string {
    const { start, end } = this.textAt(entry.valueStart, 'invalid-link', '$link field missing or not a string');
    const text = canonicalCidText(decodeUtf8(this.cbor, start, end));
    if (text === undefined) throw new RecordConversionError('invalid-link', 'invalid $link CID');
    return text;
  }

  private bytesMap(entries: Entry[]): void {
    if (entries.length !== 1) throw new RecordConversionError('invalid-bytes', '$bytes objects must have a single field');
    const { start, end } = this.textAt(entries[0].valueStart, 'invalid-bytes', '$bytes field missing or not a string');
    const bytes = decodeRawStdBase64(decodeUtf8(this.cbor, start, end));
    if (bytes === undefined) throw new RecordConversionError('invalid-bytes', 'invalid base64');
    this.out.raw('{"$bytes":"');
    writeBase64(this.out, bytes, 0, bytes.length);
    this.out.raw('"}');
  }

  /** `{"$type":"blob","ref":{"$link":…},"mimeType":…,"size":…}` (indigo `parseBlob`). */
  private blob(entries: Entry[]): void {
    if (entries.length !== 4) throw new RecordConversionError('invalid-blob', 'blobs expected to have 4 fields');
    const size = this.find(entries, KEY.size);
    const mimeType = this.find(entries, KEY.mimeType);
    const ref = this.find(entries, KEY.ref);
    if (size === undefined) throw new RecordConversionError('invalid-blob', "blob 'size' missing or not a number");
    if (mimeType === undefined) throw new RecordConversionError('invalid-blob', "blob 'mimeType' missing or not a string");
    if (ref === undefined) throw new RecordConversionError('invalid-blob', "blob 'ref' missing");
    const { reader, out } = this;
    const mimeTypeText = this.textAt(mimeType.valueStart, 'invalid-blob', "blob 'mimeType' missing or not a string");
    reader.pos = size.valueStart;
    const sizeMajor = reader.peekMajor();
    if (sizeMajor === CBOR_NEGINT) throw new RecordConversionError('invalid-blob', "blob with negative 'size'");
    const sizeIsFloat = sizeMajor === CBOR_SIMPLE && this.cbor[reader.pos] >= 0xf9 && this.cbor[reader.pos] <= 0xfb;
    if (sizeMajor !== CBOR_UINT && !sizeIsFloat) throw new RecordConversionError('invalid-blob', "blob 'size' missing or not a number");

    out.raw('{"$type":"blob","ref":');
    reader.pos = ref.valueStart;
    const refMajor = reader.peekMajor();
    if (refMajor === CBOR_TAG) this.link();
    else if (refMajor === CBOR_MAP) {
      if (this.map(MAX_DEPTH - 1) !== 'special' || !this.isLinkMap(ref.valueStart))
        throw new RecordConversionError('invalid-blob', "blob 'ref' unexpected type");
    } else throw new RecordConversionError('invalid-blob', "blob 'ref' unexpected type");
    out.raw(',"mimeType":');
    out.utf8String(this.cbor, mimeTypeText.start, mimeTypeText.end);
    out.raw(',"size":');
    const sizeStart = out.length;
    reader.pos = size.valueStart;
    this.value(MAX_DEPTH);
    if (out.buffer[sizeStart] === 0x2d) throw new RecordConversionError('invalid-blob', "blob with negative 'size'");
    out.byte(0x7d);
  }

  /** True when the map at `pos` has the single key `$link` (a link written by `map`). */
  private isLinkMap(pos: number): boolean {
    const saved = this.reader.pos;
    this.reader.pos = pos;
    const isLink = this.reader.readMapLength() === 1 && this.equalsKeyAt(this.reader.pos, KEY.link);
    this.reader.pos = saved;
    return isLink;
  }

  private equalsKeyAt(pos: number, key: Uint8Array): boolean {
    const reader = new CborReader(this.cbor, pos);
    const length = reader.readHead(CBOR_TEXT);
    return this.equals(reader.pos, reader.pos + length, key);
  }

  /** `{"cid":"<cid>","mimeType":…}` (indigo `parseLegacyBlob`: the cid may be a string, a link or bytes). */
  private legacyBlob(cid: Entry, mimeType: Entry): void {
    const { reader, cbor, out } = this;
    const mimeTypeText = this.textAt(mimeType.valueStart, 'invalid-blob', "blob 'mimeType' missing or not a string");
    reader.pos = cid.valueStart;
    let cidText: string | undefined;
    switch (reader.peekMajor()) {
      case CBOR_TEXT: {
        const { start, end } = this.textAt(cid.valueStart, 'invalid-blob', 'invalid CID');
        cidText = canonicalCidText(decodeUtf8(cbor, start, end));
        break;
      }
      case CBOR_TAG:
        cidText = cidTextOfBytes(this.cidBytes());
        break;
      case CBOR_BYTES:
        cidText = cidTextOfBytes(reader.readByteString());
        break;
    }
    if (cidText === undefined) throw new RecordConversionError('invalid-blob', 'invalid CID');
    out.raw('{"cid":"');
    out.raw(cidText);
    out.raw('","mimeType":');
    out.utf8String(cbor, mimeTypeText.start, mimeTypeText.end);
    out.byte(0x7d);
  }

  /** An ordinary object: keys checked, sorted by their JSON-encoded bytes (goccy), values converted. */
  private object(entries: Entry[], depth: number): void {
    const { cbor, out, reader } = this;
    for (const entry of entries) {
      if (entry.keyEnd - entry.keyStart > MAX_RECORD_KEY_BYTES)
        throw new RecordConversionError('key-too-long', `${entry.keyEnd - entry.keyStart} bytes`);
      const kind = scanKey(cbor, entry.keyStart, entry.keyEnd);
      if (kind !== 0) out.ascii = false;
      if (kind & KEY_NEEDS_ESCAPING) escapeKey(cbor, entry);
    }
    sortEntries(entries);
    out.byte(0x7b);
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      if (i > 0) out.byte(0x2c);
      out.byte(0x22);
      out.rawBytes(entry.jsonKey, entry.jsonKeyStart, entry.jsonKeyEnd);
      out.raw('":');
      reader.pos = entry.valueStart;
      this.value(depth);
    }
    out.byte(0x7d);
  }

  private find(entries: Entry[], key: Uint8Array): Entry | undefined {
    for (const entry of entries) if (this.equals(entry.keyStart, entry.keyEnd, key)) return entry;
    return undefined;
  }

  private equals(start: number, end: number, expected: Uint8Array): boolean {
    if (end - start !== expected.length) return false;
    for (let i = 0; i < expected.length; i++) if (this.cbor[start + i] !== expected[i]) return false;
    return true;
  }

  /** The byte range of the text string at `pos`, or the given error when it is not a string. */
  private textAt(pos: number, reason: string, detail: string): { start: number; end: number } {
    const { reader } = this;
    reader.pos = pos;
    if (reader.peekMajor() !== CBOR_TEXT) throw new RecordConversionError(reason, detail);
    const length = reader.readHead(CBOR_TEXT);
    const start = this.take(length);
    return { start, end: start + length };
  }

  /** Advances past `length` bytes, returning where they start. */
  private take(length: number): number {
    const { reader } = this;
    const start = reader.pos;
    if (length > reader.end - start) throw new RecordConversionError('invalid-cbor', 'unexpected end of data');
    reader.pos = start + length;
    return start;
  }
}

const KEY_NON_ASCII = 1;
const KEY_NEEDS_ESCAPING = 2;

/** Whether a key has non-ASCII bytes, and whether its JSON form differs from its bytes (an escape, invalid UTF-8). */
function scanKey(bytes: Uint8Array, start: number, end: number): number {
  let kind = 0;
  for (let i = start; i < end; ) {
    const byte = bytes[i];
    if (byte < 0x80) {
      if (asciiNeedsEscape(byte)) return kind | KEY_NEEDS_ESCAPING;
      i++;
      continue;
    }
    kind |= KEY_NON_ASCII;
    const sequence = utf8SequenceLength(bytes, i, end);
    if (sequence === 0) return kind | KEY_NEEDS_ESCAPING;
    if (sequence === 3 && byte === 0xe2 && bytes[i + 1] === 0x80 && (bytes[i + 2] & 0xfe) === 0xa8) return kind | KEY_NEEDS_ESCAPING;
    i += sequence;
  }
  return kind;
}

/** Points the entry's JSON key at an escaped copy of its key. */
function escapeKey(bytes: Uint8Array, entry: Entry): void {
  const writer = new JsonWriter();
  writer.utf8StringContent(bytes, entry.keyStart, entry.keyEnd);
  entry.jsonKey = writer.bytes();
  entry.jsonKeyStart = 0;
  entry.jsonKeyEnd = entry.jsonKey.length;
}

/**
 * Sorts by JSON-encoded key (`"key"` bytes), refusing duplicate keys: by insertion for the few
 * keys of a real record, `Array.prototype.sort` (n log n) for a large map, whose keys may be
 * crafted in the order that makes insertion quadratic. When one key is a prefix of another, the
 * shorter one's closing quote (0x22) is what compares.
 */
function sortEntries(entries: Entry[]): void {
  if (entries.length > INSERTION_SORT_ENTRIES) {
    entries.sort(compareJsonKeys);
    for (let i = 1; i < entries.length; i++)
      if (compareJsonKeys(entries[i - 1], entries[i]) === 0) throw new RecordConversionError('invalid-cbor', 'duplicate map key');
    return;
  }
  for (let i = 1; i < entries.length; i++) {
    const entry = entries[i];
    let j = i - 1;
    for (; j >= 0; j--) {
      const order = compareJsonKeys(entries[j], entry);
      if (order === 0) throw new RecordConversionError('invalid-cbor', 'duplicate map key');
      if (order < 0) break;
      entries[j + 1] = entries[j];
    }
    entries[j + 1] = entry;
  }
}

function compareJsonKeys(a: Entry, b: Entry): number {
  const aBytes = a.jsonKey;
  const bBytes = b.jsonKey;
  const aLength = a.jsonKeyEnd - a.jsonKeyStart;
  const bLength = b.jsonKeyEnd - b.jsonKeyStart;
  const common = aLength < bLength ? aLength : bLength;
  for (let i = 0; i < common; i++) {
    const difference = aBytes[a.jsonKeyStart + i] - bBytes[b.jsonKeyStart + i];
    if (difference !== 0) return difference;
  }
  if (aLength === bLength) return 0;
  return aLength < bLength ? 0x22 - bBytes[b.jsonKeyStart + common] : aBytes[a.jsonKeyStart + common] - 0x22;
}

/** IEEE 754 half precision to a number. */
function halfToNumber(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >> 10) & 0x1f;
  const fraction = half & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
