import { isPackablePlcDid, PACKED_PLC_BYTES, readPackedPlcDid, readVarint, varintLength, writePackedPlcDid, writeVarint } from '@jetstream-ts/cursor-buffer';
import type { JetstreamEventKind, LoggedEvent } from '@jetstream-ts/models';

/**
 * The format of the event messages written by this version; the first byte of every message.
 * A reader refuses any other value instead of guessing. Format 0 was the headers of the first
 * release (a bare zstd frame as body, fields in `Jetstream-*` headers).
 */
export const EVENT_MESSAGE_FORMAT = 1;

/** The fields of one event message; `zstd` is a view into the message's bytes. */
export interface EventMessage {
  time_us: number;
  relaySeq: number;
  /** Index of the event among its frame's events (a commit with 3 ops gives 0, 1, 2). */
  op: number;
  /** On the last event of an append only: the relay cursor committed with it (every frame up to it is complete). */
  relayCursor: number | undefined;
  did: string;
  kind: JetstreamEventKind;
  /** Commits only; '' for identity and account. */
  collection: string;
  /** The event's zstd frame (v1 dictionary), as the store keeps it and compressed subscribers get it. */
  zstd: Uint8Array;
}

const KIND_CODES: Record<JetstreamEventKind, number> = { commit: 0, identity: 1, account: 2 };
const KINDS: readonly JetstreamEventKind[] = ['commit', 'identity', 'account'];
const KIND_MASK = 0b11;
const PACKED_DID_FLAG = 0b100;
const RELAY_CURSOR_FLAG = 0b1000;
const KNOWN_FLAGS = KIND_MASK | PACKED_DID_FLAG | RELAY_CURSOR_FLAG;
/** A zstd frame's first byte: the body of a format-0 message. */
const ZSTD_MAGIC_FIRST_BYTE = 0x28;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The de-duplication id of an event (`Nats-Msg-Id`): its frame's relay seq and its index in the
 * frame, in base 36 (`1000000001:0` is `gjdgxt:0`). Unlike `time_us` (assigned from the clock
 * above the head), a frame re-read after a crash gives the very same ids.
 *
 * @example
 * import { eventMessageId } from '@jetstream-ts/nats';
 *
 * eventMessageId(1_000_000_001, 2); // 'gjdgxt:2'
 */
export function eventMessageId(relaySeq: number, op: number): string {
  return `${relaySeq.toString(36)}:${op.toString(36)}`;
}

/**
 * The body of one event message: the fields in a compact binary prefix, then the zstd frame.
 * Integers are unsigned LEB128 varints; a `did:plc` takes 15 bytes (as in the lmdb store).
 *
 * ```
 * format       u8      EVENT_MESSAGE_FORMAT (1)
 * flags        u8      bits 0-1 kind (0 commit, 1 identity, 2 account); bit 2 DID packed; bit 3 relay cursor present
 * time_us      varint
 * relaySeq     varint
 * op           varint
 * relayCursor  varint  when flag bit 3
 * did          15 bytes when packed (did:plc), else varint length + UTF-8
 * collection   varint length + UTF-8, commits only
 * zstd         the rest
 * ```
 *
 * @example
 * import { decodeEventMessage, encodeEventMessage } from '@jetstream-ts/nats';
 *
 * // event: a LoggedEvent from the ingest pipeline, the first of its frame, the last of its append
 * const body = encodeEventMessage(event, 0, 1_000_000_001);
 * const fields = decodeEventMessage(body); // { time_us, relaySeq, op: 0, relayCursor: 1000000001, did, kind, collection, zstd }
 *
 * @param event The sequenced event.
 * @param op Its index among its frame's events.
 * @param relayCursor The relay cursor its append commits, on the append's last event only.
 * @return The message body.
 */
export function encodeEventMessage(event: LoggedEvent, op: number, relayCursor?: number): Uint8Array {
  const packedDid = isPackablePlcDid(event.did);
  const didBytes = packedDid ? undefined : utf8Encoder.encode(event.did);
  const collectionBytes = event.kind === 'commit' ? utf8Encoder.encode(event.collection) : undefined;
  const length =
    2 +
    varintLength(event.time_us) +
    varintLength(event.relaySeq) +
    varintLength(op) +
    (relayCursor === undefined ? 0 : varintLength(relayCursor)) +
    (didBytes ? varintLength(didBytes.length) + didBytes.length : PACKED_PLC_BYTES) +
    (collectionBytes ? varintLength(collectionBytes.length) + collectionBytes.length : 0) +
    event.zstd.length;
  const body = new Uint8Array(length);
  body[0] = EVENT_MESSAGE_FORMAT;
  body[1] = KIND_CODES[event.kind] | (packedDid ? PACKED_DID_FLAG : 0) | (relayCursor === undefined ? 0 : RELAY_CURSOR_FLAG);
  let offset = writeVarint(event.time_us, body, 2);
  offset = writeVarint(event.relaySeq, body, offset);
  offset = writeVarint(op, body, offset);
  if (relayCursor !== undefined) offset = writeVarint(relayCursor, body, offset);
  offset = didBytes ? writeBytes(didBytes, body, offset) : writePackedPlcDid(event.did, body, offset);
  if (collectionBytes) offset = writeBytes(collectionBytes, body, offset);
  body.set(event.zstd, offset);
  return body;
}

/**
 * Reads a body written by {@link encodeEventMessage}, checking every field, never throwing.
 *
 * @example
 * import { decodeEventMessage } from '@jetstream-ts/nats';
 *
 * const fields = decodeEventMessage(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd]));
 * // 'format 0 (a bare zstd frame, fields in headers): written by an older version; this one reads format 1'
 *
 * @param body A message's data.
 * @return The fields, or a string saying why the bytes are not an event message of this format.
 */
export function decodeEventMessage(body: Uint8Array): EventMessage | string {
  if (body.length === 0) return 'empty message';
  const format = body[0];
  if (format !== EVENT_MESSAGE_FORMAT) {
    if (format === ZSTD_MAGIC_FIRST_BYTE) return `format 0 (a bare zstd frame, fields in headers): written by an older version; this one reads format ${EVENT_MESSAGE_FORMAT}`;
    return `unknown format ${format}; this version reads format ${EVENT_MESSAGE_FORMAT}`;
  }
  try {
    return readFields(body);
  } catch (error) {
    return `format ${format}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Throws on the first malformed field (a RangeError, or the UTF-8 decoder's TypeError). */
function readFields(body: Uint8Array): EventMessage {
  if (body.length < 2) throw new RangeError('truncated flags');
  const flags = body[1];
  const kind = KINDS[flags & KIND_MASK];
  if (kind === undefined || (flags & ~KNOWN_FLAGS) !== 0) throw new RangeError(`unknown flags 0b${flags.toString(2)}`);
  const [time_us, afterTime] = readSafeVarint(body, 2, 'time_us');
  if (time_us === 0) throw new RangeError('time_us 0');
  const [relaySeq, afterRelaySeq] = readSafeVarint(body, afterTime, 'relaySeq');
  const [op, afterOp] = readSafeVarint(body, afterRelaySeq, 'op');
  let offset = afterOp;
  let relayCursor: number | undefined;
  if (flags & RELAY_CURSOR_FLAG) [relayCursor, offset] = readSafeVarint(body, offset, 'relayCursor');
  let did: string;
  if (flags & PACKED_DID_FLAG) {
    if (offset + PACKED_PLC_BYTES > body.length) throw new RangeError('truncated did');
    did = readPackedPlcDid(body, offset);
    offset += PACKED_PLC_BYTES;
  } else {
    [did, offset] = readText(body, offset, 'did');
  }
  let collection = '';
  // An empty DID or collection is read back as written: the mapping keeps v1's (an op path '/rkey').
  if (kind === 'commit') [collection, offset] = readText(body, offset, 'collection');
  if (offset === body.length) throw new RangeError('no zstd frame');
  return { time_us, relaySeq, op, relayCursor, did, kind, collection, zstd: body.subarray(offset) };
}

function readSafeVarint(body: Uint8Array, offset: number, field: string): [number, number] {
  const [value, next] = readVarint(body, offset);
  if (!Number.isSafeInteger(value)) throw new RangeError(`${field} above 2^53`);
  return [value, next];
}

function readText(body: Uint8Array, offset: number, field: string): [string, number] {
  const [length, start] = readSafeVarint(body, offset, `${field} length`);
  if (start + length > body.length) throw new RangeError(`truncated ${field}`);
  return [utf8Decoder.decode(body.subarray(start, start + length)), start + length];
}

function writeBytes(bytes: Uint8Array, target: Uint8Array, offset: number): number {
  offset = writeVarint(bytes.length, target, offset);
  target.set(bytes, offset);
  return offset + bytes.length;
}
