import type { JetstreamEventKind, LoggedEvent } from '@jetstream-ts/models';
import { PACKED_PLC_BYTES, isPackablePlcDid, readPackedPlcDid, writePackedPlcDid } from './did-plc.js';
import { readVarint, varintLength, writeVarint } from './varint.js';

/**
 * The stored value of one event: the filter fields in a compact header, then the zstd bytes
 * (v1 dictionary) as they go on the wire. JSON is not stored: it is the zstd frame decompressed.
 *
 * ```
 * flags         u8      bits 0-1 kind (0 commit, 1 identity, 2 account); bit 2 DID packed
 * relaySeq      varint
 * did           15 bytes when packed (did:plc), else varint length + UTF-8
 * collectionId  varint  commits only; an id from the store's collection table
 * zstd          the rest
 * ```
 */
export interface StoredEventFields {
  kind: JetstreamEventKind;
  relaySeq: number;
  did: string;
  /** The collection's id in the collection table; -1 for identity and account. */
  collectionId: number;
  zstd: Uint8Array;
}

const KIND_CODES: Record<JetstreamEventKind, number> = { commit: 0, identity: 1, account: 2 };
const KINDS: readonly JetstreamEventKind[] = ['commit', 'identity', 'account'];
const KIND_MASK = 0b11;
const PACKED_DID_FLAG = 0b100;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

export function encodeStoredEvent(event: LoggedEvent, collectionId: number): Uint8Array {
  const packed = isPackablePlcDid(event.did);
  const didBytes = packed ? undefined : utf8Encoder.encode(event.did);
  const isCommit = event.kind === 'commit';
  const length =
    1 +
    varintLength(event.relaySeq) +
    (didBytes ? varintLength(didBytes.length) + didBytes.length : PACKED_PLC_BYTES) +
    (isCommit ? varintLength(collectionId) : 0) +
    event.zstd.length;
  const value = new Uint8Array(length);
  value[0] = KIND_CODES[event.kind] | (packed ? PACKED_DID_FLAG : 0);
  let offset = writeVarint(event.relaySeq, value, 1);
  if (didBytes) {
    offset = writeVarint(didBytes.length, value, offset);
    value.set(didBytes, offset);
    offset += didBytes.length;
  } else {
    offset = writePackedPlcDid(event.did, value, offset);
  }
  if (isCommit) offset = writeVarint(collectionId, value, offset);
  value.set(event.zstd, offset);
  return value;
}

/** Decodes a value written by {@link encodeStoredEvent}; `zstd` is a view into `value`. */
export function decodeStoredEvent(value: Uint8Array): StoredEventFields {
  const flags = value[0];
  const kind = KINDS[flags & KIND_MASK];
  if (kind === undefined) throw new RangeError(`stored event has unknown kind code ${flags & KIND_MASK}`);
  const [relaySeq, afterRelaySeq] = readVarint(value, 1);
  let offset = afterRelaySeq;
  let did: string;
  if (flags & PACKED_DID_FLAG) {
    did = readPackedPlcDid(value, offset);
    offset += PACKED_PLC_BYTES;
  } else {
    let didLength: number;
    [didLength, offset] = readVarint(value, offset);
    did = utf8Decoder.decode(value.subarray(offset, offset + didLength));
    offset += didLength;
  }
  let collectionId = -1;
  if (kind === 'commit') [collectionId, offset] = readVarint(value, offset);
  return { kind, relaySeq, did, collectionId, zstd: value.subarray(offset) };
}
