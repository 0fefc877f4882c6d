import * as dagCbor from '@ipld/dag-cbor';
import { varint } from 'multiformats';
import { CID } from 'multiformats/cid';
import type { Block } from './blocks.js';
import { concatBytes } from './raw-cbor.js';

/** A CAR v1 file read into memory: its roots and its blocks keyed by CID string, in file order. */
export interface CarContents {
  roots: CID[];
  blocks: Map<string, Block>;
}

function varintBytes(value: number): Uint8Array {
  const out = new Uint8Array(varint.encodingLength(value));
  varint.encodeTo(value, out);
  return out;
}

/** Writes a CAR v1: `{version:1, roots}` header, then `[varint length][CID][bytes]` per block. */
export function encodeCar(roots: readonly CID[], blocks: Iterable<Block>): Uint8Array {
  const header = dagCbor.encode({ version: 1, roots: [...roots] });
  const parts: Uint8Array[] = [varintBytes(header.length), header];
  for (const block of blocks) {
    parts.push(varintBytes(block.cid.bytes.length + block.bytes.length), block.cid.bytes, block.bytes);
  }
  return concatBytes(parts);
}

/**
 * Reads a CAR v1 synchronously (block hashes are not checked: see `blockMatchesCid`). Throws on
 * malformed input; this is a test helper, the decoder under test must not throw.
 */
export function readCar(bytes: Uint8Array): CarContents {
  const [headerLength, headerLengthSize] = varint.decode(bytes);
  let offset = headerLengthSize + headerLength;
  if (offset > bytes.length) throw new Error('truncated CAR header');
  const header = dagCbor.decode<{ version: number; roots: CID[] }>(bytes.subarray(headerLengthSize, offset));
  if (header.version !== 1) throw new Error(`unsupported CAR version ${header.version}`);
  const blocks = new Map<string, Block>();
  while (offset < bytes.length) {
    const [sectionLength, sectionLengthSize] = varint.decode(bytes, offset);
    const start = offset + sectionLengthSize;
    const end = start + sectionLength;
    if (end > bytes.length) throw new Error('truncated CAR block');
    const [cid, blockBytes] = CID.decodeFirst(bytes.subarray(start, end));
    blocks.set(cid.toString(), { cid, bytes: blockBytes });
    offset = end;
  }
  return { roots: header.roots, blocks };
}
