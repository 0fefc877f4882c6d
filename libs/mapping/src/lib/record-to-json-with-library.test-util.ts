import * as dagCbor from '@ipld/dag-cbor';
import {
  MAX_RECORD_CBOR_BYTES,
  MAX_RECORD_CONTAINER_ENTRIES,
  MAX_RECORD_KEY_BYTES,
  MAX_RECORD_STRING_BYTES,
  type RecordJson,
} from '@jetstream-ts/models';
import { CID } from 'multiformats/cid';
import { canonicalCidText, decodeRawStdBase64 } from './binary-text.js';
import { JsonWriter } from './json-writer.js';
import { RecordConversionError } from './record-conversion-error.js';

/**
 * The reference for `recordToJson`: `@ipld/dag-cbor` decodes the record to JS values, then the
 * same v1 rules (indigo `parseMap` + goccy) write them out. Tests check that both paths agree.
 * It cannot see what decoding loses: invalid UTF-8 (the decoder substitutes U+FFFD where Go
 * writes `\ufffd` per bad byte), `undefined` (coerced to null), non-integral vs integral floats
 * of the same value (both are numbers).
 *
 * @param cbor The record block's bytes.
 * @return The record JSON.
 * @throws RecordConversionError when v1 would drop the op.
 */
export function recordToJsonWithLibrary(cbor: Uint8Array): RecordJson {
  if (cbor.length > MAX_RECORD_CBOR_BYTES) throw new RecordConversionError('record-too-large', `${cbor.length} bytes`);
  let value: unknown;
  try {
    value = dagCbor.decode(cbor);
  } catch (error) {
    throw new RecordConversionError('invalid-cbor', (error as Error).message);
  }
  if (!isMap(value)) throw new RecordConversionError('not-an-object', 'the record is not a map');
  const out = new JsonWriter();
  if (writeMap(out, value) !== 'object') throw new RecordConversionError('not-an-object', 'the record is a link, bytes or blob');
  return out.text() as RecordJson;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const utf8 = new TextEncoder();

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && CID.asCID(value) === null;
}

function writeValue(out: JsonWriter, value: unknown): void {
  if (value === null) out.raw('null');
  else if (typeof value === 'boolean') out.raw(value ? 'true' : 'false');
  else if (typeof value === 'number') writeNumber(out, value);
  else if (typeof value === 'bigint') {
    if (value < INT64_MIN || value > INT64_MAX) throw new RecordConversionError('integer-out-of-range', 'beyond int64');
    out.integer(value);
  } else if (typeof value === 'string') {
    if (utf8.encode(value).length > MAX_RECORD_STRING_BYTES) throw new RecordConversionError('string-too-long', 'string');
    out.string(value);
  } else if (value instanceof Uint8Array) {
    out.raw(`{"$bytes":"${Buffer.from(value).toString('base64').replace(/=+$/, '')}"}`);
  } else if (CID.asCID(value) !== null) {
    out.raw(`{"$link":"${String(value)}"}`);
  } else if (Array.isArray(value)) {
    if (value.length > MAX_RECORD_CONTAINER_ENTRIES) throw new RecordConversionError('too-many-entries', 'array');
    out.byte(0x5b);
    value.forEach((item, i) => {
      if (i > 0) out.byte(0x2c);
      writeValue(out, item);
    });
    out.byte(0x5d);
  } else if (isMap(value)) writeMap(out, value);
  else throw new RecordConversionError('invalid-cbor', `unexpected ${typeof value}`);
}

function writeNumber(out: JsonWriter, value: number): void {
  if (!Number.isInteger(value) || value < -(2 ** 63) || value >= 2 ** 63)
    throw new RecordConversionError('float-not-integral', String(value));
  out.integer(Number.isSafeInteger(value) ? value : BigInt(value));
}

/** indigo `parseMap`'s rules in its order; returns whether the map was an ordinary object. */
function writeMap(out: JsonWriter, map: Record<string, unknown>): 'object' | 'special' {
  const keys = Object.keys(map);
  if (keys.length > MAX_RECORD_CONTAINER_ENTRIES) throw new RecordConversionError('too-many-entries', 'map');
  if ('$link' in map) {
    out.raw(`{"$link":"${linkText(map)}"}`);
    return 'special';
  }
  if ('$bytes' in map) {
    const text = map['$bytes'];
    if (keys.length !== 1 || typeof text !== 'string') throw new RecordConversionError('invalid-bytes', 'not a single string field');
    const bytes = decodeRawStdBase64(text);
    if (bytes === undefined) throw new RecordConversionError('invalid-bytes', 'invalid base64');
    writeValue(out, bytes);
    return 'special';
  }
  if ('$type' in map) {
    const type = map['$type'];
    if (typeof type !== 'string' || type === '') throw new RecordConversionError('invalid-type', 'not a non-empty string');
    if (type === 'blob') {
      writeBlob(out, map, keys.length);
      return 'special';
    }
  } else if (keys.length === 2 && 'cid' in map && 'mimeType' in map) {
    writeLegacyBlob(out, map);
    return 'special';
  }
  const sorted = keys
    .map((key) => {
      if (utf8.encode(key).length > MAX_RECORD_KEY_BYTES) throw new RecordConversionError('key-too-long', 'key');
      const json = new JsonWriter();
      json.string(key);
      return { key, json: Buffer.from(json.bytes()) };
    })
    .sort((a, b) => Buffer.compare(a.json, b.json));
  out.byte(0x7b);
  sorted.forEach(({ key, json }, i) => {
    if (i > 0) out.byte(0x2c);
    out.rawBytes(json, 0, json.length);
    if (!/^[\x20-\x7e]*$/.test(key)) out.ascii = false;
    out.byte(0x3a);
    writeValue(out, map[key]);
  });
  out.byte(0x7d);
  return 'object';
}

function linkText(map: Record<string, unknown>): string {
  const text = map['$link'];
  if (Object.keys(map).length !== 1 || typeof text !== 'string') throw new RecordConversionError('invalid-link', 'not a single string field');
  const canonical = canonicalCidText(text);
  if (canonical === undefined) throw new RecordConversionError('invalid-link', 'invalid $link CID');
  return canonical;
}

function writeBlob(out: JsonWriter, map: Record<string, unknown>, fields: number): void {
  const { size, mimeType, ref } = map;
  if (fields !== 4) throw new RecordConversionError('invalid-blob', 'blobs expected to have 4 fields');
  if (typeof size !== 'number' && typeof size !== 'bigint') throw new RecordConversionError('invalid-blob', 'size not a number');
  if (size < 0) throw new RecordConversionError('invalid-blob', 'negative size');
  if (typeof mimeType !== 'string') throw new RecordConversionError('invalid-blob', 'mimeType not a string');
  const refCid = CID.asCID(ref);
  let refText: string;
  if (refCid !== null) refText = refCid.toString();
  else if (isMap(ref)) refText = linkText(ref);
  else throw new RecordConversionError('invalid-blob', "blob 'ref' unexpected type");
  out.raw(`{"$type":"blob","ref":{"$link":"${refText}"},"mimeType":`);
  out.string(mimeType);
  out.raw(',"size":');
  writeValue(out, size);
  out.byte(0x7d);
}

function writeLegacyBlob(out: JsonWriter, map: Record<string, unknown>): void {
  const { cid, mimeType } = map;
  if (typeof mimeType !== 'string') throw new RecordConversionError('invalid-blob', 'mimeType not a string');
  let cidText: string | undefined;
  if (typeof cid === 'string') cidText = canonicalCidText(cid);
  else if (CID.asCID(cid) !== null) cidText = String(cid);
  else if (cid instanceof Uint8Array) {
    try {
      cidText = CID.decode(cid).toString();
    } catch {
      cidText = undefined;
    }
  }
  if (cidText === undefined) throw new RecordConversionError('invalid-blob', 'invalid CID');
  out.raw(`{"cid":"${cidText}","mimeType":`);
  out.string(mimeType);
  out.byte(0x7d);
}
