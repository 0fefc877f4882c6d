import { createHash } from 'node:crypto';
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import { create as createDigest } from 'multiformats/hashes/digest';

/** A content-addressed block: its CID and the bytes it names. */
export interface Block {
  cid: CID;
  bytes: Uint8Array;
}

const SHA2_256 = 0x12;
const RAW_CODEC = 0x55;

function sha256(bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(bytes).digest();
}

/** The CIDv1 (sha-256) of bytes in the given codec: dag-cbor by default, as records and MST nodes are. */
export function cidOf(bytes: Uint8Array, codec: number = dagCbor.code): CID {
  return CID.createV1(codec, createDigest(SHA2_256, sha256(bytes)));
}

/** A raw-codec CID, the kind blob refs use. */
export function rawCidOf(bytes: Uint8Array): CID {
  return cidOf(bytes, RAW_CODEC);
}

/** DAG-CBOR encodes a value and names it. */
export function dagCborBlock(value: unknown): Block {
  const bytes = dagCbor.encode(value);
  return { cid: cidOf(bytes), bytes };
}

/** True when the bytes hash to the CID's digest (sha-256 only). */
export function blockMatchesCid(block: Block): boolean {
  const digest = block.cid.multihash;
  if (digest.code !== SHA2_256) return false;
  const actual = sha256(block.bytes);
  return actual.length === digest.digest.length && actual.every((byte, i) => byte === digest.digest[i]);
}

/** The same bytes with one bit flipped, so that they no longer hash to their CID. */
export function corruptBytes(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  copy[copy.length - 1] ^= 0x01;
  return copy;
}
