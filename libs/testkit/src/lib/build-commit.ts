import type { CommitBody, RepoOp } from '@jetstream-ts/models';
import * as dagCbor from '@ipld/dag-cbor';
import type { CID } from 'multiformats/cid';
import { type Block, cidOf, corruptBytes, dagCborBlock } from './blocks.js';
import { encodeCar } from './car-file.js';
import { buildMst, type Mst, type MstCache } from './mst.js';

/** Where a write goes: `collection` + `rkey`, or a raw `path` (to test odd paths such as `x` or `/x`). */
export type WriteTarget = { collection: string; rkey: string } | { path: string };

/** One record write of a commit, with optional faults to inject. */
export type RecordWrite = WriteTarget & {
  /** `create`, `update`, `delete`, or anything else to test unknown actions (treated like a create). */
  action: string;
  /** The record value, DAG-CBOR encoded (CIDs become links, Uint8Arrays bytes). */
  record?: unknown;
  /** Record bytes used as they are (e.g. from the raw-cbor helpers); wins over `record`. */
  recordBytes?: Uint8Array;
  /** `op.prev`; defaults to the path's CID in the existing contents, for updates and deletes. */
  prev?: CID | null;
  /** Overrides `op.cid`; `'absent'` leaves the key out of the op. */
  cid?: CID | null | 'absent';
  /** Ship record bytes that do not hash to the record's CID. */
  corruptBlock?: boolean;
  /** Leave the record block out of the CAR. */
  omitBlock?: boolean;
};

export type CommitBlockRole = 'commit' | 'mst-root' | 'mst';

export interface BuildCommitOptions {
  did: string;
  rev: string;
  writes: readonly RecordWrite[];
  /** The repository before this commit: path → record CID. Not modified. */
  contents?: ReadonlyMap<string, CID>;
  seq?: number;
  /** The relay `time`. */
  time?: string;
  since?: string | null;
  tooBig?: boolean;
  rebase?: boolean;
  blobs?: CID[] | null;
  prevData?: CID | null;
  /** `path` (default): the MST nodes on the written keys' lookup paths, as a relay sends; `all`: every node. */
  mstNodes?: 'path' | 'all';
  /** Blocks to leave out of the CAR. `mst` means every MST node. */
  omitBlocks?: readonly CommitBlockRole[];
  /** Blocks whose bytes are altered so that they no longer hash to their CID. */
  corruptBlocks?: readonly CommitBlockRole[];
  /** More blocks to put in the CAR (e.g. unrelated records). */
  extraBlocks?: readonly Block[];
  /** One per repository: reuses unchanged MST subtrees between its commits (speed). Pass the `contents` of the previous commit built with it. */
  mstCache?: MstCache;
}

export interface BuiltCommit {
  /** The `#commit` body, ready for `commitFrame`. */
  body: CommitBody;
  /** The repository after this commit: path → record CID (pass it as `contents` next time). */
  contents: Map<string, CID>;
  /** The signed-commit block (the CAR root). */
  commit: Block;
  mst: Mst;
  /** The new record blocks by path, with their true bytes. */
  records: Map<string, Block>;
}

const DEFAULT_TIME = '2025-01-01T00:00:00.000Z';
/** The signature is not verified by v1 (reference §2.4), so any 64 bytes do. */
const FAKE_SIGNATURE = new Uint8Array(64).fill(7);

export function writePath(target: WriteTarget): string {
  return 'path' in target ? target.path : `${target.collection}/${target.rkey}`;
}

function recordBlock(write: RecordWrite): Block {
  if (write.recordBytes) return { cid: cidOf(write.recordBytes), bytes: write.recordBytes };
  return dagCborBlock(write.record ?? {});
}

/**
 * Builds a real-shaped `#commit` body: the records as DAG-CBOR blocks (CIDv1, dag-cbor, sha-256),
 * the repository's MST after the writes, a signed-commit block `{did, version: 3, data, rev,
 * prev: null, sig}` (fake signature) and a CAR v1 with the commit as its root, the MST nodes and
 * the new records. One op per write (`action`, `path`, `cid`, and `prev` when known).
 *
 * @example
 * import { buildCommit, commitFrame } from '@jetstream-ts/testkit';
 *
 * const { body, contents } = buildCommit({
 *   did: 'did:plc:ewvi7nxzyoun6zhxrhs64oiz', rev: '3l3qo2vutsw2b',
 *   writes: [{ action: 'create', collection: 'app.bsky.feed.post', rkey: '3l3qo2vuowo2b',
 *              record: { $type: 'app.bsky.feed.post', text: 'hi', createdAt: '2024-09-25T00:00:00.000Z' } }],
 * });
 * const frame = commitFrame(body);
 */
export function buildCommit(options: BuildCommitOptions): BuiltCommit {
  const contents = new Map(options.contents ?? []);
  const records = new Map<string, Block>();
  const shipped: Block[] = [];
  const ops: RepoOp[] = [];

  for (const write of options.writes) {
    const path = writePath(write);
    const previous = options.contents?.get(path);
    const op: Partial<RepoOp> = { action: write.action, path, cid: null };
    if (write.action === 'delete') {
      contents.delete(path);
    } else {
      const block = recordBlock(write);
      records.set(path, block);
      contents.set(path, block.cid);
      op.cid = block.cid;
      if (!write.omitBlock) shipped.push(write.corruptBlock ? { cid: block.cid, bytes: corruptBytes(block.bytes) } : block);
    }
    const prev = write.prev !== undefined ? write.prev : write.action === 'create' ? undefined : previous;
    if (prev !== undefined) op.prev = prev;
    if (write.cid === 'absent') delete op.cid;
    else if (write.cid !== undefined) op.cid = write.cid;
    ops.push(op as RepoOp);
  }

  const cache = options.mstCache;
  if (cache && cache.basis !== options.contents) cache.reset();
  const mst = buildMst(contents, { cache, changedKeys: options.writes.map(writePath) });
  if (cache) cache.basis = contents;
  const commit = dagCborBlock({ did: options.did, version: 3, data: mst.root, rev: options.rev, prev: null, sig: FAKE_SIGNATURE });

  const mstBlocks = new Map<string, Block>();
  if (options.mstNodes === 'all') for (const [cid, block] of mst.nodes) mstBlocks.set(cid, block);
  else for (const write of options.writes) for (const block of mst.pathTo(writePath(write))) mstBlocks.set(block.cid.toString(), block);

  const omit = new Set(options.omitBlocks ?? []);
  const corrupt = new Set(options.corruptBlocks ?? []);
  const place = (block: Block, role: CommitBlockRole): Block[] => {
    if (omit.has(role) || (role === 'mst-root' && omit.has('mst'))) return [];
    if (corrupt.has(role) || (role === 'mst-root' && corrupt.has('mst'))) return [{ cid: block.cid, bytes: corruptBytes(block.bytes) }];
    return [block];
  };
  const blocks = [
    ...place(commit, 'commit'),
    ...[...mstBlocks.values()].flatMap((block) => place(block, block.cid.equals(mst.root) ? 'mst-root' : 'mst')),
    ...shipped,
    ...(options.extraBlocks ?? []),
  ];

  const body: CommitBody = {
    seq: options.seq ?? 1,
    rebase: options.rebase ?? false,
    tooBig: options.tooBig ?? false,
    repo: options.did,
    commit: commit.cid,
    rev: options.rev,
    since: options.since ?? null,
    blocks: encodeCar([commit.cid], blocks),
    ops,
    blobs: options.blobs === undefined ? [] : (options.blobs as CID[]),
    time: options.time ?? DEFAULT_TIME,
  };
  if (options.prevData !== undefined) body.prevData = options.prevData;
  return { body, contents, commit, mst, records };
}

/** DAG-CBOR bytes of a record value, as a PDS would store it. */
export function encodeRecord(record: unknown): Uint8Array {
  return dagCbor.encode(record);
}
