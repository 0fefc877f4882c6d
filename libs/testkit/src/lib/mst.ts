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
  /** CIDs of the nodes a lookup of `key` visits, root first (also when the key is absent). */
  pathTo(key: string): CID[];
}

interface MstNode {
  block: Block;
  left: MstNode | null;
  entries: { key: Uint8Array; value: CID; right: MstNode | null }[];
}

interface Item {
  key: Uint8Array;
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
 * Remembers key layers and encoded nodes between builds of a slowly changing tree (one repo,
 * commit after commit), so that unchanged subtrees are not re-encoded. Holds only what the last
 * build used.
 */
export class MstCache {
  private layers = new Map<string, number>();
  private nodes = new Map<string, MstNode>();
  private nextLayers = new Map<string, number>();
  private nextNodes = new Map<string, MstNode>();

  layer(key: string): number {
    const layer = this.layers.get(key) ?? this.nextLayers.get(key) ?? mstLayer(key);
    this.nextLayers.set(key, layer);
    return layer;
  }

  node(signature: string, build: () => MstNode): MstNode {
    const node = this.nodes.get(signature) ?? this.nextNodes.get(signature) ?? build();
    this.nextNodes.set(signature, node);
    return node;
  }

  /** Ends a build: what it did not use is forgotten. */
  endBuild(): void {
    this.layers = this.nextLayers;
    this.nodes = this.nextNodes;
    this.nextLayers = new Map();
    this.nextNodes = new Map();
  }
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
export function buildMst(entries: Iterable<readonly [string, CID]>, cache: MstCache = new MstCache()): Mst {
  const items: Item[] = [];
  for (const [key, value] of entries) items.push({ key: utf8.encode(key), value, layer: cache.layer(key) });
  items.sort((a, b) => compareBytes(a.key, b.key));
  const rootLayer = items.reduce((max, item) => Math.max(max, item.layer), 0);

  const makeNode = (left: MstNode | null, nodeEntries: MstNode['entries']): MstNode => {
    // Children are already built, so their CIDs identify them in the signature.
    const signature = [left?.block.cid.toString() ?? '', ...nodeEntries.map((entry) => signatureOf(entry))].join('|');
    return cache.node(signature, () => ({ block: encodeNode(left, nodeEntries), left, entries: nodeEntries }));
  };

  const build = (from: number, to: number, layer: number): MstNode | null => {
    if (from === to) return null;
    if (layer < 0) throw new Error('MST layer underflow');
    let left: MstNode | null = null;
    const nodeEntries: MstNode['entries'] = [];
    let start = from;
    for (let i = from; i < to; i++) {
      if (items[i].layer !== layer) continue;
      const subtree = build(start, i, layer - 1);
      if (nodeEntries.length === 0) left = subtree;
      else nodeEntries[nodeEntries.length - 1].right = subtree;
      nodeEntries.push({ key: items[i].key, value: items[i].value, right: null });
      start = i + 1;
    }
    const rest = build(start, to, layer - 1);
    if (nodeEntries.length === 0) left = rest;
    else nodeEntries[nodeEntries.length - 1].right = rest;
    return makeNode(left, nodeEntries);
  };

  const root = build(0, items.length, rootLayer) ?? makeNode(null, []);
  cache.endBuild();

  const nodes = new Map<string, Block>();
  const collect = (node: MstNode | null): void => {
    if (!node) return;
    nodes.set(node.block.cid.toString(), node.block);
    collect(node.left);
    for (const entry of node.entries) collect(entry.right);
  };
  collect(root);

  return {
    root: root.block.cid,
    nodes,
    pathTo(key: string): CID[] {
      const target = utf8.encode(key);
      const path: CID[] = [];
      let node: MstNode | null = root;
      while (node) {
        path.push(node.block.cid);
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

function signatureOf(entry: MstNode['entries'][number]): string {
  return `${entry.key.length}:${Buffer.from(entry.key).toString('latin1')}\u0000${entry.value.toString()}\u0000${entry.right?.block.cid.toString() ?? ''}`;
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
