import * as dagCbor from '@ipld/dag-cbor';
import type { CommitBody } from '@jetstream-ts/models';
import type { CID } from 'multiformats/cid';
import { type Block, cidOf, dagCborBlock } from './blocks.js';
import { buildCommit } from './build-commit.js';
import { encodeCar } from './car-file.js';
import { postRecord } from './example-records.js';
import { concatBytes } from './raw-cbor.js';

/**
 * Commits an adversary can send through any PDS, each aimed at one way of making a consumer
 * do unbounded work (hang, stack overflow, quadratic time). Deterministic (no randomness), so
 * tests and soak runs get the same bytes every time. Each returns a `#commit` body: wrap it
 * with `commitFrame` for the wire. The op paths are `app.bsky.feed.post/<rkey>`.
 */
export interface HostileCommitOptions {
  did?: string;
  rev?: string;
  seq?: number;
}

/** The record key of the op of every single-op hostile commit. */
export const HOSTILE_RKEY = '3kaaaaaaaaaa2';
const COLLECTION = 'app.bsky.feed.post';
const DEFAULT_DID = 'did:plc:hostilehostilehostile00';
const DEFAULT_REV = '3l3qo2vutsw2b';
const DEFAULT_TIME = '2025-01-01T00:00:00.000Z';
const FAKE_SIGNATURE = new Uint8Array(64).fill(7);
const SHA2_256 = 0x12;
const DAG_CBOR = 0x71;
const utf8 = new TextEncoder();

/** An MST node `{e, l}` as its bytes: `entries` are full keys (prefix-compressed here) with their value CIDs. */
function mstNodeBytes(left: CID | null, entries: readonly (readonly [string, CID])[]): Uint8Array {
  let previous = new Uint8Array(0);
  const e = entries.map(([key, value]) => {
    const bytes = utf8.encode(key);
    let p = 0;
    while (p < previous.length && p < bytes.length && previous[p] === bytes[p]) p++;
    previous = bytes;
    return { k: bytes.subarray(p), p, t: null, v: value };
  });
  return dagCbor.encode({ e, l: left });
}

/** A CID that names no real content: sha-256 of a label (what a cycle's nodes claim to be). */
function labelCid(label: string): CID {
  return cidOf(utf8.encode(label));
}

/** A commit whose CAR holds `blocks` (after the signed commit, whose `data` is `mstRoot`) and whose ops create `records`. */
function commitOver(mstRoot: CID, blocks: readonly Block[], records: readonly (readonly [string, Block])[], options: HostileCommitOptions): CommitBody {
  const did = options.did ?? DEFAULT_DID;
  const rev = options.rev ?? DEFAULT_REV;
  const commit = dagCborBlock({ did, version: 3, data: mstRoot, rev, prev: null, sig: FAKE_SIGNATURE });
  return {
    seq: options.seq ?? 1,
    rebase: false,
    tooBig: false,
    repo: did,
    commit: commit.cid,
    rev,
    since: null,
    blocks: encodeCar([commit.cid], [commit, ...blocks, ...records.map(([, block]) => block)]),
    ops: records.map(([path, block]) => ({ action: 'create', path, cid: block.cid })),
    blobs: [],
    time: DEFAULT_TIME,
  };
}

const hostilePath = `${COLLECTION}/${HOSTILE_RKEY}`;
/** A key after every op path: a lookup of an op path in a node holding only it descends left. */
const LATER_KEY = `${COLLECTION}/zzzzzzzzzzzzz`;

/**
 * An MST root node that is its own left subtree (776-byte commits of this shape hung the
 * server forever): a lookup descending left comes back to the same node. Its bytes cannot hash
 * to the CID it is shipped under (that CID is inside them).
 */
export function mstSelfCycleCommit(options: HostileCommitOptions = {}): CommitBody {
  const record = dagCborBlock(postRecord('self cycle'));
  const self = labelCid('mst-self-cycle');
  const node = { cid: self, bytes: mstNodeBytes(self, [[LATER_KEY, record.cid]]) };
  return commitOver(self, [node], [[hostilePath, record]], options);
}

/** Two MST nodes, each the other's left subtree: a lookup alternates between them. */
export function mstTwoNodeCycleCommit(options: HostileCommitOptions = {}): CommitBody {
  const record = dagCborBlock(postRecord('two-node cycle'));
  const first = labelCid('mst-cycle-first');
  const second = labelCid('mst-cycle-second');
  const nodes = [
    { cid: first, bytes: mstNodeBytes(second, [[LATER_KEY, record.cid]]) },
    { cid: second, bytes: mstNodeBytes(first, []) },
  ];
  return commitOver(first, nodes, [[hostilePath, record]], options);
}

/**
 * A chain of `depth` MST nodes, every one hashing to its CID: `depth - 1` empty nodes, each
 * naming the next as its left subtree, then a leaf with `ops` record entries (default 1), one
 * create op each. Real MSTs have one node per layer (at most 129 on a path).
 */
export function deepMstCommit(options: HostileCommitOptions & { depth: number; ops?: number }): CommitBody {
  const records = Array.from({ length: options.ops ?? 1 }, (_, i) => {
    const path = `${COLLECTION}/3k${i.toString().padStart(11, '0')}`;
    return [path, dagCborBlock(postRecord(`deep ${i}`))] as const;
  });
  let node = bytesBlock(mstNodeBytes(null, records.map(([path, block]) => [path, block.cid])));
  const nodes = [node];
  for (let level = 1; level < options.depth; level++) {
    node = bytesBlock(mstNodeBytes(node.cid, []));
    nodes.push(node);
  }
  return commitOver(node.cid, nodes.reverse(), records, options);
}

/**
 * One MST node (the root, hashing to its CID) of `entries` record entries, and create ops for
 * the last `ops` of them (records shipped): each lookup reads through the whole node.
 */
export function wideMstNodeCommit(options: HostileCommitOptions & { entries: number; ops: number }): CommitBody {
  const unshipped = labelCid('unshipped record');
  const keys = Array.from({ length: options.entries }, (_, i) => `${COLLECTION}/3k${i.toString().padStart(11, '0')}`);
  const records = keys.slice(-options.ops).map((path, i) => [path, dagCborBlock(postRecord(`wide ${i}`))] as const);
  const values = new Map(records.map(([path, block]) => [path, block.cid]));
  const root = bytesBlock(mstNodeBytes(null, keys.map((key) => [key, values.get(key) ?? unshipped])));
  return commitOver(root.cid, [root], records, options);
}

/**
 * A real one-op commit plus `blocks` junk blocks (default 20,000) whose CIDs are the same but
 * for four bytes in the middle of the digest: one slot for a block index that hashes a few bytes
 * at either end of the digest, every insert probing the whole chain.
 */
export function collidingCidsCommit(options: HostileCommitOptions & { blocks?: number } = {}): CommitBody {
  const count = options.blocks ?? 20_000;
  const { body } = buildCommit({
    did: options.did ?? DEFAULT_DID,
    rev: options.rev ?? DEFAULT_REV,
    seq: options.seq,
    writes: [{ action: 'create', collection: COLLECTION, rkey: HOSTILE_RKEY, record: postRecord(COLLIDING_CIDS_POST_TEXT) }],
  });
  // Appended as CAR sections directly: [length 40][CIDv1 dag-cbor sha-256, 36 bytes][{x: null}].
  const section = Uint8Array.of(40, 0x01, DAG_CBOR, SHA2_256, 32, ...new Uint8Array(32).fill(0xc0), 0xa1, 0x61, 0x78, 0xf6);
  const blocks = new Uint8Array(body.blocks.length + count * section.length);
  blocks.set(body.blocks);
  const view = new DataView(blocks.buffer);
  for (let i = 0, at = body.blocks.length; i < count; i++, at += section.length) {
    blocks.set(section, at);
    view.setUint32(at + 5 + 12, i); // digest bytes 12..15
  }
  return { ...body, blocks };
}

/** The text of the one real post of `collidingCidsCommit`. */
export const COLLIDING_CIDS_POST_TEXT = 'next to colliding blocks';

/**
 * A one-op commit whose MST root (its only node) is forged: re-encoded to name another record
 * for the op's path, shipped under the genuine node's CID, with the op and the CAR carrying
 * the other record. Only a node hash check tells it from a real commit.
 */
export function forgedMstNodeCommit(options: HostileCommitOptions = {}): CommitBody {
  const genuine = dagCborBlock(postRecord('genuine'));
  const forged = dagCborBlock(postRecord('forged'));
  const root = cidOf(mstNodeBytes(null, [[hostilePath, genuine.cid]]));
  const node = { cid: root, bytes: mstNodeBytes(null, [[hostilePath, forged.cid]]) };
  return commitOver(root, [node], [[hostilePath, forged]], options);
}

/**
 * A one-op commit whose record is `depth` maps nested as `{"a": {"a": …}}` around an array of
 * `width` zeros (default 0): a recursive reader overflows the stack; one that skips each
 * map's values before converting them re-reads the array once per level.
 */
export function nestedRecordCommit(options: HostileCommitOptions & { depth: number; width?: number }): CommitBody {
  const width = options.width ?? 0;
  const array = new Uint8Array(5 + width);
  array[0] = 0x9a; // array, 32-bit length
  new DataView(array.buffer).setUint32(1, width);
  return recordCommit(concatBytes([new Uint8Array(options.depth * 3).map((_, i) => NESTED_MAP_HEAD[i % 3]), array]), options);
}

/** `{"a": …}`: a map of one entry, key "a". */
const NESTED_MAP_HEAD = Uint8Array.of(0xa1, 0x61, 0x61);

/**
 * A one-op commit whose record is one map of `entries` keys (default 131,072, v1's limit: a
 * 786 KB record), the numbers from 0 in base 36 padded to one width, each value 0, written in
 * descending key order: an insertion sort of the keys is quadratic.
 */
export function hugeMapRecordCommit(options: HostileCommitOptions & { entries?: number } = {}): CommitBody {
  const count = options.entries ?? 131_072;
  const width = Math.max(1, (count - 1).toString(36).length);
  const entry = 2 + width; // text head, key, value 0
  const record = new Uint8Array(5 + count * entry);
  record.set([0xba, count >>> 24, (count >>> 16) & 0xff, (count >>> 8) & 0xff, count & 0xff]); // map, 32-bit length
  for (let i = count - 1, at = 5; i >= 0; i--, at += entry) {
    record[at] = 0x60 + width;
    utf8.encodeInto(i.toString(36).padStart(width, '0'), record.subarray(at + 1, at + 1 + width));
  }
  return recordCommit(record, options);
}

function recordCommit(recordBytes: Uint8Array, options: HostileCommitOptions): CommitBody {
  return buildCommit({
    did: options.did ?? DEFAULT_DID,
    rev: options.rev ?? DEFAULT_REV,
    seq: options.seq,
    writes: [{ action: 'create', collection: COLLECTION, rkey: HOSTILE_RKEY, recordBytes }],
  }).body;
}

function bytesBlock(bytes: Uint8Array): Block {
  return { cid: cidOf(bytes), bytes };
}
