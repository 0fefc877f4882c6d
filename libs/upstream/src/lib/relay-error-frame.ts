/** The body of a `subscribeRepos` error frame (header `op: -1`). */
export interface RelayErrorFrame {
  error: string;
  message?: string;
}

/**
 * The relay's error, when `frame` is an error frame (header `{op: -1}`), else undefined.
 *
 * Runs on every frame, so it reads just the small header map (text keys; integer or text values)
 * by hand and stops there unless `op` is -1; only then is the `{error, message}` body read.
 * Anything it does not understand is "not an error frame": the frame decoder downstream is
 * the one that reports malformed frames.
 *
 * @example
 * import { readRelayErrorFrame } from '@jetstream-ts/upstream';
 *
 * // bytes: one raw relay message (Uint8Array)
 * readRelayErrorFrame(bytes)?.error; // 'FutureCursor', 'ConsumerTooSlow', ... or undefined
 *
 * @param frame The raw frame bytes: DAG-CBOR header then body.
 * @return The error name and message, or undefined for any other frame.
 */
export function readRelayErrorFrame(frame: Uint8Array): RelayErrorFrame | undefined {
  const reader = { bytes: frame, offset: 0 };
  const header = readFlatMap(reader);
  if (header?.get('op') !== -1) return undefined;
  const body = readFlatMap(reader);
  const error = body?.get('error');
  const message = body?.get('message');
  const name = typeof error === 'string' ? error : 'Unknown';
  return typeof message === 'string' ? { error: name, message } : { error: name };
}

interface Reader {
  bytes: Uint8Array;
  offset: number;
}

const MAJOR_UNSIGNED = 0;
const MAJOR_NEGATIVE = 1;
const MAJOR_TEXT = 3;
const MAJOR_MAP = 5;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A CBOR map of text keys to integer or text values; undefined when it is anything else. */
function readFlatMap(reader: Reader): Map<string, number | string> | undefined {
  const head = readHead(reader);
  if (head?.major !== MAJOR_MAP) return undefined;
  const entries = new Map<string, number | string>();
  for (let i = 0; i < head.argument; i++) {
    const key = readScalar(reader);
    const value = readScalar(reader);
    if (typeof key !== 'string' || value === undefined) return undefined;
    entries.set(key, value);
  }
  return entries;
}

function readScalar(reader: Reader): number | string | undefined {
  const head = readHead(reader);
  if (head === undefined) return undefined;
  if (head.major === MAJOR_UNSIGNED) return head.argument;
  if (head.major === MAJOR_NEGATIVE) return -1 - head.argument;
  if (head.major !== MAJOR_TEXT || reader.offset + head.argument > reader.bytes.length) return undefined;
  const start = reader.offset;
  reader.offset += head.argument;
  try {
    return utf8.decode(reader.bytes.subarray(start, reader.offset));
  } catch {
    return undefined;
  }
}

/** A data item's major type and argument (length, count or value), up to 32-bit arguments. */
function readHead(reader: Reader): { major: number; argument: number } | undefined {
  const { bytes } = reader;
  if (reader.offset >= bytes.length) return undefined;
  const initial = bytes[reader.offset++]!;
  const major = initial >> 5;
  const info = initial & 0x1f;
  if (info < 24) return { major, argument: info };
  const width = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : 0;
  if (width === 0 || reader.offset + width > bytes.length) return undefined;
  let argument = 0;
  for (let i = 0; i < width; i++) argument = argument * 256 + bytes[reader.offset++]!;
  return { major, argument };
}
