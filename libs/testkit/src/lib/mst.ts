import { createHash } from 'node:crypto';
import * as dagCbor from '@ipld/dag-cbor';
import type { CID } from 'multiformats/cid';
import { type Block, cidOf } from './blocks.js';

/**
 * The atproto Merkle Search Tree, built from scratch for a set of keys (`<collection>/<rkey>`)
 * mapped to record CIDs. Node format `{l, e: [{p, k, v, t}]}`: `k` is the key suffix after the
 * `p` bytes shared with the previous key of the node; `l` is the subtree left of the first entry,
 * `t` the subtree right of an entry. A key's layer is the number of leading zero bits of
 * sha-256(key), counted in 2-bit chunks (fan-out 4).
 */
export interface Mst {
  root: CID;
  /** Every node of the tree, keyed by CID string. */
  nodes: Map<string, Block>;
  /** The nodes a lookup of `key` visits, root first (also when the key is absent). */
  pathTo(key: string): Block[];
}

interface MstNode {
  /** Layer, key count, first and last key: with the changed keys, enough to tell an unchanged subtree. */
  signature: string;
  block: Block;
  left: MstNode | null;
  entries: { key: Uint8Array; value: CID; right: MstNode | null }[];
}

interface Item {
  key: string;
  bytes: Uint8Array;
  value: CID;
  layer: number;
}

const utf8 = new TextEncoder();

/** The MST layer of a key: leading zero bits of sha-256(key) divided by two, rounded down. */
export function mstLayer(key: string | Uint8Array): number {
  const hash = createHash('sha256').update(key).digest();
  let zeroBits = 0;
  for (const byte of hash) {
    if (byte === 0) {
      zeroBits += 8;
      continue;
    }
    zeroBits += Math.clz32(byte) - 24;
    break;
  }
  return Math.floor(zeroBits / 2);
}

/**
 * Makes repeated builds of one repository's MST fast (commit after commit): it remembers key
 * layers and the nodes of earlier builds, and a build told which keys changed reuses every
 * subtree whose key range holds no changed key, without re-encoding it. Use one cache per
 * repository; `buildCommit` resets it when given contents it did not produce.
 */
export class MstCache {
  /** The contents map the last `buildCommit` with this cache returned. */
  basis: ReadonlyMap<string, CID> | undefined;
  /** The sorted entries of the last build, updated in place by the next one. */
  items: Item[] | undefined;
  private keys = new Map<string, { bytes: Uint8Array; layer: number }>();
  /** The nodes of the last build, by signature: only they are known to differ from the current tree at changed keys alone. */
  private previous = new Map<string, MstNode>();
  private next = new Map<string, MstNode>();

  key(key: string): { bytes: Uint8Array; layer: number } {
    let known = this.keys.get(key);
    if (!known) {
      known = { bytes: utf8.encode(key), layer: mstLayer(key) };
      this.keys.set(key, known);
    }
    return known;
  }

  /** A node of the last build with this signature, kept (with its subtree) for the next build. */
  reuse(signature: string): MstNode | undefined {
    const node = this.previous.get(signature);
    if (node) this.keep(node);
    return node;
  }

  keep(node: MstNode | null): void {
    if (!node) return;
    this.next.set(node.signature, node);
    this.keep(node.left);
    for (const entry of node.entries) this.keep(entry.right);
  }

  remember(node: MstNode): void {
    this.next.set(node.signature, node);
  }

  endBuild(liveKeys: number): void {
    this.previous = this.next;
    this.next = new Map();
    // Deleted keys would pile up otherwise.
    if (this.keys.size > 2 * liveKeys + 1024) this.keys.clear();
  }

  reset(): void {
    this.basis = undefined;
    this.items = undefined;
    this.keys.clear();
    this.previous.clear();
    this.next.clear();
  }
}

export interface BuildMstOptions {
  cache?: MstCache;
  /** Keys written or deleted since the cache's last build; subtrees that hold none are reused. */
  changedKeys?: Iterable<string>;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function sharedPrefixLength(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  let i = 0;
  while (i < length && a[i] === b[i]) i++;
  return i;
}

function encodeNode(left: MstNode | null, entries: MstNode['entries']): Block {
  let previous: Uint8Array = new Uint8Array(0);
  const e = entries.map(({ key, value, right }) => {
    const p = sharedPrefixLength(previous, key);
    previous = key;
    return { p, k: key.subarray(p), v: value, t: right ? right.block.cid : null };
  });
  const bytes = dagCbor.encode({ l: left ? left.block.cid : null, e });
  return { cid: cidOf(bytes), bytes };
}

/** Builds the MST of `entries` (key → record CID). An empty tree is one node with no entries. */
export function buildMst(entries: Iterable<readonly [string, CID]>, options: BuildMstOptions = {}): Mst {
  const cache = options.cache ?? new MstCache();
  const changedKeys = options.changedKeys ? [...options.changedKeys] : undefined;
  const changed = changedKeys?.map((key) => utf8.encode(key));
  const items =
    changedKeys && entries instanceof Map && cache.items
      ? applyChanges(cache.items, entries, changedKeys, cache)
      : sortedItems(entries, cache);
  cache.items = items;
  const rootLayer = items.reduce((max, item) => Math.max(max, item.layer), 0);

  // A subtree is its layer and its key set; when no changed key falls in its range, that set
  // (and so the subtree) is the same as in the build that remembered it.
  const untouched = (from: number, to: number) =>
    changed !== undefined &&
    changed.every((key) => compareBytes(key, items[from].bytes) < 0 || compareBytes(key, items[to - 1].bytes) > 0);

  const build = (from: number, to: number, layer: number): MstNode | null => {
    if (from === to) return null;
    if (layer < 0) throw new Error('MST layer underflow');
    const signature = `${layer}:${to - from}:${latin1(items[from].bytes)}:${latin1(items[to - 1].bytes)}`;
    const known = untouched(from, to) ? cache.reuse(signature) : undefined;
    if (known) return known;
    let left: MstNode | null = null;
    const nodeEntries: MstNode['entries'] = [];
    let start = from;
    for (let i = from; i < to; i++) {
      if (items[i].layer !== layer) continue;
      const subtree = build(start, i, layer - 1);
      if (nodeEntries.length === 0) left = subtree;
      else nodeEntries[nodeEntries.length - 1].right = subtree;
      nodeEntries.push({ key: items[i].bytes, value: items[i].value, right: null });
      start = i + 1;
    }
    const rest = build(start, to, layer - 1);
    if (nodeEntries.length === 0) left = rest;
    else nodeEntries[nodeEntries.length - 1].right = rest;
    const node: MstNode = { signature, block: encodeNode(left, nodeEntries), left, entries: nodeEntries };
    cache.remember(node);
    return node;
  };

  const root = build(0, items.length, rootLayer) ?? { signature: '', block: encodeNode(null, []), left: null, entries: [] };
  cache.endBuild(items.length);

  let nodes: Map<string, Block> | undefined;
  return {
    root: root.block.cid,
    get nodes() {
      nodes ??= collectNodes(root);
      return nodes;
    },
    pathTo(key: string): Block[] {
      const target = utf8.encode(key);
      const path: Block[] = [];
      let node: MstNode | null = root;
      while (node) {
        path.push(node.block);
        let next: MstNode | null = node.left;
        let found = false;
        for (const entry of node.entries) {
          const order = compareBytes(entry.key, target);
          if (order === 0) found = true;
          if (order >= 0) break;
          next = entry.right;
        }
        node = found ? null : next;
      }
      return path;
    },
  };
}

function sortedItems(entries: Iterable<readonly [string, CID]>, cache: MstCache): Item[] {
  const items: Item[] = [];
  for (const [key, value] of entries) items.push({ key, value, ...cache.key(key) });
  return items.sort((a, b) => compareBytes(a.bytes, b.bytes));
}

/** The last build's sorted entries with the changed keys set to their value in `entries`, or removed. */
function applyChanges(items: Item[], entries: ReadonlyMap<string, CID>, changedKeys: string[], cache: MstCache): Item[] {
  for (const key of changedKeys) {
    const known = cache.key(key);
    let low = 0;
    let high = items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareBytes(items[middle].bytes, known.bytes) < 0) low = middle + 1;
      else high = middle;
    }
    const present = low < items.length && items[low].key === key;
    const value = entries.get(key);
    if (value && present) items[low] = { ...items[low], value };
    else if (value) items.splice(low, 0, { key, value, ...known });
    else if (present) items.splice(low, 1);
  }
  return items;
}

function collectNodes(root: MstNode): Map<string, Block> {
  const nodes = new Map<string, Block>();
  const collect = (node: MstNode | null): void => {
    if (!node) return;
    nodes.set(node.block.cid.toString(), node.block);
    collect(node.left);
    for (const entry of node.entries) collect(entry.right);
  };
  collect(root);
  return nodes;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

interface DecodedNode {
  l: CID | null;
  e: { p: number; k: Uint8Array; v: CID; t: CID | null }[];
}

/**
 * Walks an MST in key order and yields `[key, value CID]`. `getBlock` returns a node's bytes;
 * a missing node throws (tests use this on complete repositories).
 */
export function* walkMst(root: CID, getBlock: (cid: CID) => Uint8Array | undefined): Generator<[string, CID]> {
  const bytes = getBlock(root);
  if (!bytes) throw new Error(`MST node ${root.toString()} missing`);
  const node = dagCbor.decode<DecodedNode>(bytes);
  if (node.l) yield* walkMst(node.l, getBlock);
  let previous: Uint8Array = new Uint8Array(0);
  for (const entry of node.e) {
    const key = new Uint8Array(entry.p + entry.k.length);
    key.set(previous.subarray(0, entry.p));
    key.set(entry.k, entry.p);
    previous = key;
    yield [new TextDecoder().decode(key), entry.v];
    if (entry.t) yield* walkMst(entry.t, getBlock);
  }
}
