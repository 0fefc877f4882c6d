import { randomFillSync } from 'node:crypto';
import { CborReader, KeySet } from '@jetstream-ts/frames';
import { MAX_MST_DEPTH } from '@jetstream-ts/models';
import { DEFAULT_COMMIT_BUDGET, OverBudgetError, type CommitBudget } from './commit-budget.js';
import { SHA2_256, SHA2_256_LENGTH, hashesTo, sha256DigestStart } from './sha256.js';

/** The CAR is not a CAR v1 whose first root is a signed commit block inside it. */
export class MalformedCarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedCarError';
  }
}

const CAR_HEADER = new KeySet(['roots', 'version']);
const SIGNED_COMMIT = new KeySet(['version', 'data']);
const MST_NODE = new KeySet(['e', 'l']);
const CAR_VERSION = 1;
/** v1 (indigo `OpenRepo`) accepts signed commits of repo version 2 and 3 only. */
const REPO_VERSIONS = new Set([2, 3]);
/** Longer MST keys than this are not record paths (a collection NSID, `/`, a record key). */
const MAX_MST_KEY_BYTES = 2048;
/**
 * Slots a block may sit from its hash's slot. With random hashes and the table at most half
 * full, real CARs never come near it; only CIDs crafted to collide do, and the commit is
 * then dropped, so that no lookup ever probes more than this.
 */
export const MAX_INDEX_PROBES = 64;
/**
 * CARs of at most this many blocks (most commits: a record or two and the MST nodes on their
 * paths) are searched front to back: a commit's few lookups cost less than hashing every CID.
 */
const SCAN_BLOCKS = 32;

/**
 * Where each block of a CAR is, found in one pass over the bytes: for block `i`, its binary CID
 * is `car[cidStart[i], dataStart[i])` and its data `car[dataStart[i], dataEnd[i])`. Nothing is
 * copied or decoded; blocks are looked up by comparing CID bytes.
 */
export class CarIndex {
  readonly cidStart: number[] = [];
  readonly dataStart: number[] = [];
  readonly dataEnd: number[] = [];
  /** The first root's binary CID: `car[rootStart, rootEnd)`. */
  rootStart = 0;
  rootEnd = 0;
  /** The sum of `touchSequentially`, kept so that the compiler cannot drop its reads. */
  readonly touched: number;
  /** Blocks compared (or slots probed) by building the hash table and by every `find` so far: what crafted CIDs would inflate. */
  probes = 0;
  /** The hash table of `find`: block indexes by CID hash, -1 for an empty slot; none for a small CAR. */
  private readonly slots: Int32Array | undefined;

  /** Indexes a CAR v1; throws `MalformedCarError` when it is not one, `OverBudgetError` when it is too big. */
  constructor(
    readonly car: Uint8Array,
    budget: Readonly<CommitBudget> = DEFAULT_COMMIT_BUDGET,
  ) {
    if (car.length > budget.maxCarBytes) throw new OverBudgetError(`CAR of ${car.length} bytes, more than ${budget.maxCarBytes}`);
    this.touched = touchSequentially(car);
    const cursor = new CarCursor(car, 0);
    const headerLength = cursor.readVarint();
    const headerEnd = cursor.pos + headerLength;
    if (headerLength === 0 || headerEnd > car.length) throw new MalformedCarError('truncated CAR header');
    this.readHeader(cursor.pos, headerEnd);
    cursor.pos = headerEnd;
    while (cursor.pos < car.length) {
      if (this.cidStart.length === budget.maxBlocks) throw new OverBudgetError(`more than ${budget.maxBlocks} blocks`);
      const length = cursor.readVarint();
      const blockEnd = cursor.pos + length;
      if (length === 0 || blockEnd > car.length) throw new MalformedCarError('block runs past the end of the CAR');
      this.cidStart.push(cursor.pos);
      this.dataStart.push(cursor.pos + readCidLength(cursor, blockEnd));
      this.dataEnd.push(blockEnd);
      cursor.pos = blockEnd;
    }
    this.slots = this.cidStart.length > SCAN_BLOCKS ? this.buildSlots() : undefined;
  }

  /**
   * The first block whose CID is `bytes[start, end)`, or -1: a commit's lookups (its root, MST
   * nodes and records: several per op) would make a linear scan cost ops × blocks, so the
   * blocks are in an open-addressing hash table keyed on the whole CID (unless there are few).
   */
  find(bytes: Uint8Array, start: number, end: number): number {
    const { slots, car, cidStart, dataStart } = this;
    const length = end - start;
    if (slots === undefined) {
      for (let block = 0; block < cidStart.length; block++) {
        this.probes++;
        const at = cidStart[block];
        if (dataStart[block] - at === length && sameBytes(car, at, bytes, start, length)) return block;
      }
      return -1;
    }
    const mask = slots.length - 1;
    let slot = cidHash(bytes, start, end) & mask;
    // Every block sits within MAX_INDEX_PROBES slots of its hash's slot (buildSlots).
    for (let probe = 0; probe < MAX_INDEX_PROBES; probe++, slot = (slot + 1) & mask) {
      this.probes++;
      const block = slots[slot];
      if (block < 0) return -1;
      const at = cidStart[block];
      if (dataStart[block] - at === length && sameBytes(car, at, bytes, start, length)) return block;
    }
    return -1;
  }

  /**
   * Block indexes by CID hash (linear probing), at most half full so that probes stay short. A
   * CID seen before is not inserted again: `find` gives the first block with it, as a
   * front-to-back scan would.
   */
  private buildSlots(): Int32Array {
    const { car, cidStart, dataStart } = this;
    const blocks = cidStart.length;
    let size = 8;
    while (size < blocks * 2) size *= 2;
    const slots = new Int32Array(size).fill(-1);
    const mask = size - 1;
    for (let block = 0; block < blocks; block++) {
      const start = cidStart[block];
      const length = dataStart[block] - start;
      let slot = cidHash(car, start, start + length) & mask;
      for (let probe = 0; ; probe++, slot = (slot + 1) & mask) {
        this.probes++;
        const other = slots[slot];
        if (other < 0) {
          slots[slot] = block;
          break;
        }
        const at = cidStart[other];
        if (dataStart[other] - at === length && sameBytes(car, at, car, start, length)) break;
        if (probe === MAX_INDEX_PROBES - 1) throw new OverBudgetError(`block CIDs collide in the index (more than ${MAX_INDEX_PROBES} probes)`);
      }
    }
    return slots;
  }

  /**
   * Checks the root signed commit (present, repo version 2 or 3, as v1's `OpenRepo` requires)
   * and returns where its `data` CID (the MST root) is in the CAR.
   */
  readMstRoot(): { start: number; end: number } {
    const block = this.find(this.car, this.rootStart, this.rootEnd);
    if (block < 0) throw new MalformedCarError('the root commit block is not in the CAR');
    const reader = new CborReader(this.car, this.dataStart[block], this.dataEnd[block]);
    let version: number | undefined;
    let dataStart = -1;
    let dataEnd = -1;
    try {
      const entries = reader.readMapLength();
      for (let i = 0; i < entries; i++) {
        const key = reader.readKey(SIGNED_COMMIT);
        if (key === SIGNED_COMMIT.id.version) version = reader.readInteger();
        else if (key === SIGNED_COMMIT.id.data) {
          dataStart = reader.readCidStart();
          dataEnd = reader.pos;
        } else reader.skipValue();
      }
    } catch (error) {
      throw new MalformedCarError(`commit block: ${(error as Error).message}`);
    }
    if (version === undefined || !REPO_VERSIONS.has(version)) throw new MalformedCarError(`unsupported repo version ${version}`);
    if (dataStart < 0) throw new MalformedCarError('commit block without data');
    return { start: dataStart, end: dataEnd };
  }

  /** The CAR v1 header: `{roots: [CID, ...], version: 1}`. */
  private readHeader(start: number, end: number): void {
    const reader = new CborReader(this.car, start, end);
    let version: number | undefined;
    let roots = 0;
    try {
      const entries = reader.readMapLength();
      for (let i = 0; i < entries; i++) {
        const key = reader.readKey(CAR_HEADER);
        if (key === CAR_HEADER.id.version) version = reader.readInteger();
        else if (key === CAR_HEADER.id.roots) {
          roots = reader.readArrayLength();
          for (let r = 0; r < roots; r++) {
            const cidStart = reader.readCidStart();
            if (r === 0) [this.rootStart, this.rootEnd] = [cidStart, reader.pos];
          }
        } else reader.skipValue();
      }
    } catch (error) {
      throw new MalformedCarError(`CAR header: ${(error as Error).message}`);
    }
    if (!reader.atEnd()) throw new MalformedCarError('CAR header has trailing bytes');
    if (version !== CAR_VERSION) throw new MalformedCarError(`CAR version ${version} is not 1`);
    if (roots === 0) throw new MalformedCarError('CAR has no root');
  }
}

/**
 * The path buffer shared by every `MstLookup`: lookups are synchronous and never interleaved,
 * and allocating it per commit would cost more than the lookups.
 */
const sharedTarget = new Uint8Array(MAX_MST_KEY_BYTES);

/**
 * Why an MST lookup found no value: the first three as v1 (a record it cannot get); the others
 * hostile input v1 does not check: a node that does not hash (sha-256) to its CID, a path deeper
 * than `MAX_MST_DEPTH` nodes, or the commit's `maxMstNodeVisits` spent.
 */
export type MstMiss = 'mst-node-missing' | 'not-in-mst' | 'malformed-mst-node' | 'mst-node-hash-mismatch' | 'mst-too-deep' | 'over-budget';

/**
 * Looks record paths up in a commit's MST the way v1's `GetRecordBytes` walks it, reading the
 * nodes on the path in place (no node objects): in each node `{e: [{k, p, t, v}...], l}` the
 * entries are compared with the path in key order, stopping at the first greater key and
 * descending into the subtree left of it. Keys are never rebuilt: with the length `matched` of
 * the previous key's common prefix with the path, an entry sharing fewer bytes (`p < matched`)
 * is greater, one sharing more (`p > matched`) is smaller, and only `p == matched` needs its
 * suffix compared.
 */
export class MstLookup {
  /** Where the value CID of the last successful lookup is in the CAR. */
  valueStart = 0;
  valueEnd = 0;
  private readonly target = sharedTarget;
  private targetLength = 0;
  /** Set by `readEntry`: the entry's `t` (subtree) and `v` (value) CIDs, `t` -1 when null. */
  private treeStart = -1;
  private treeEnd = -1;
  private entryValueStart = -1;
  private entryValueEnd = -1;
  /** Bytes the previous entry's key shares with the path. */
  private matched = 0;
  /**
   * MST nodes by block, read whole on their second visit: the ops of one commit walk the same
   * upper nodes (a 42-op commit visits ~500 nodes, 28 distinct), but a node visited once (every
   * node of a 1-op commit) is cheaper searched in place, which stops at the path. A node is
   * hashed on its first visit: `VISITED_ONCE` when it matches its CID, `HASH_MISMATCH` when not;
   * null for a node not in canonical form, searched in place every time.
   */
  private readonly nodes: (CanonicalNode | typeof VISITED_ONCE | typeof HASH_MISMATCH | null | undefined)[];
  /** Nodes read by this commit's lookups so far. */
  visits = 0;
  /** Entries of the nodes this commit's lookups read so far (a search may read each): a node may hold many. */
  entryReads = 0;

  constructor(
    private readonly index: CarIndex,
    /** The MST root CID (`data` of the signed commit): `car[root.start, root.end)`. */
    private readonly root: { start: number; end: number },
    private readonly budget: Readonly<Pick<CommitBudget, 'maxMstNodeVisits' | 'maxMstEntryReads'>> = DEFAULT_COMMIT_BUDGET,
  ) {
    // Sized up front: writes far past the end of an empty array would make it a dictionary.
    this.nodes = new Array(index.cidStart.length);
  }

  /** Finds `path`; on success `valueStart`/`valueEnd` locate its CID, else the miss is returned. */
  find(path: string): MstMiss | undefined {
    this.targetLength = this.encodeTarget(path);
    if (this.targetLength < 0) return 'not-in-mst';
    const { index, nodes } = this;
    let block = this.childBlock(this.root.start, this.root.end);
    // Verified nodes cannot form a cycle (each would hash to a CID inside itself); the depth
    // bound stops any walk, and the visit and entry budgets bound a commit's many walks.
    for (let depth = 1; ; depth++) {
      if (block === NODE_MISSING) return 'mst-node-missing';
      if (depth > MAX_MST_DEPTH) return 'mst-too-deep';
      if (++this.visits > this.budget.maxMstNodeVisits) return 'over-budget';
      let node = nodes[block];
      if (node === undefined) node = nodes[block] = this.verifiedNode(block);
      else if (node === VISITED_ONCE) node = nodes[block] = readCanonicalNode(index.car, index.dataStart[block], index.dataEnd[block]);
      if (node === HASH_MISMATCH) return 'mst-node-hash-mismatch';
      if (node !== VISITED_ONCE && node !== null) block = this.searchCanonicalNode(node);
      else {
        try {
          const next = this.searchNode(new CborReader(index.car, index.dataStart[block], index.dataEnd[block]));
          block = next < 0 ? next : this.childBlock(next, this.treeEnd);
        } catch {
          return 'malformed-mst-node';
        }
      }
      if (this.entryReads > this.budget.maxMstEntryReads) return 'over-budget';
      if (block === FOUND) return undefined;
      if (block === NOT_FOUND) return 'not-in-mst';
    }
  }

  /** The state of a node on its first visit: whether its bytes hash (sha-256) to its CID. */
  private verifiedNode(block: number): typeof VISITED_ONCE | typeof HASH_MISMATCH {
    const { car, cidStart, dataStart, dataEnd } = this.index;
    const digestStart = sha256DigestStart(car, cidStart[block], dataStart[block]);
    if (digestStart < 0 || !hashesTo(car.subarray(dataStart[block], dataEnd[block]), car, digestStart)) return HASH_MISMATCH;
    return VISITED_ONCE;
  }

  /** The block of the node whose CID is `car[start, end)`, or NODE_MISSING. */
  private childBlock(start: number, end: number): number {
    const block = this.index.find(this.index.car, start, end);
    return block < 0 ? NODE_MISSING : block;
  }

  /**
   * Searches one node: FOUND (value located), NOT_FOUND (no subtree to descend into), or the
   * start of the subtree CID to descend into (its end in `treeEnd`).
   */
  private searchNode(reader: CborReader): number {
    let leftStart = -1;
    let leftEnd = -1;
    let leftRead = false;
    let descendLeft = false;
    let subtreeStart = -1;
    let subtreeEnd = -1;
    const fields = reader.readMapLength();
    for (let f = 0; f < fields; f++) {
      const field = reader.readKey(MST_NODE);
      if (field === MST_NODE.id.l) {
        leftRead = true;
        if (!reader.readNull()) {
          leftStart = reader.readCidStart();
          leftEnd = reader.pos;
        }
      } else if (field === MST_NODE.id.e) {
        const count = reader.readArrayLength();
        // A malformed node may claim more entries than its bytes can hold.
        this.entryReads += Math.min(count, reader.end - reader.pos);
        this.matched = 0;
        let i = 0;
        for (; i < count; i++) {
          const order = this.readEntry(reader);
          if (order === 0) return FOUND;
          if (order > 0) break;
          subtreeStart = this.treeStart;
          subtreeEnd = this.treeEnd;
        }
        if (i < count && i > 0) return this.subtree(subtreeStart, subtreeEnd);
        if (i === count && count > 0) return this.subtree(subtreeStart, subtreeEnd);
        // The path sorts before the first entry (or the node is empty): the left subtree, `l`.
        descendLeft = true;
        for (i++; i < count; i++) reader.skipValue();
        if (leftRead) break;
      } else reader.skipValue();
    }
    if (!descendLeft) throw new MalformedCarError('MST node without e');
    return this.subtree(leftStart, leftEnd);
  }

  /**
   * `searchNode` over a node read by `readCanonicalNode`: the same decisions, no parsing, and
   * the subtree's block (found once per node and subtree) instead of its CID: FOUND, NOT_FOUND,
   * NODE_MISSING or the block to descend into.
   */
  private searchCanonicalNode(node: CanonicalNode): number {
    const { entries, children } = node;
    const count = entries.length / ENTRY_FIELDS;
    const { car } = this.index;
    this.entryReads += count;
    this.matched = 0;
    let i = 0;
    for (; i < count; i++) {
      const at = i * ENTRY_FIELDS;
      this.entryValueStart = entries[at + VALUE_START];
      this.entryValueEnd = entries[at + VALUE_END];
      const order = this.compareEntry(car, entries[at + PREFIX], entries[at + SUFFIX_START], entries[at + SUFFIX_END]);
      if (order === 0) return FOUND;
      if (order > 0) break;
    }
    // Before the first entry: the left subtree (child 0); else the subtree of the last smaller
    // entry (entry i - 1, child i).
    if (children[i] !== UNRESOLVED) return children[i];
    const previous = (i - 1) * ENTRY_FIELDS;
    const start = i === 0 ? node.leftStart : entries[previous + TREE_START];
    const end = i === 0 ? node.leftEnd : entries[previous + TREE_END];
    return (children[i] = start < 0 ? NOT_FOUND : this.childBlock(start, end));
  }

  private subtree(start: number, end: number): number {
    this.treeEnd = end;
    return start < 0 ? NOT_FOUND : start;
  }

  /** Reads one entry, sets its subtree and value CIDs, and returns how its key compares with the path. */
  private readEntry(reader: CborReader): number {
    const { bytes } = reader;
    let prefix = -1;
    let suffixStart = -1;
    let suffixEnd = -1;
    this.treeStart = -1;
    this.entryValueStart = -1;
    // Canonical entries (what every PDS writes) are read byte by byte; anything else generically.
    let pos = reader.pos;
    if (bytes[pos] === 0xa4 && bytes[pos + 1] === 0x61 && bytes[pos + 2] === LETTER_K) {
      pos += 3;
      const head = bytes[pos];
      const length = head >= 0x40 && head < 0x58 ? head - 0x40 : head === 0x58 ? bytes[pos + 1] : -1;
      pos += head === 0x58 ? 2 : 1;
      suffixStart = pos;
      suffixEnd = pos + length;
      pos = suffixEnd;
      const prefixHead = bytes[pos + 2];
      if (length >= 0 && bytes[pos] === 0x61 && bytes[pos + 1] === LETTER_P && prefixHead <= 0x18) {
        prefix = prefixHead < 0x18 ? prefixHead : bytes[pos + 3];
        pos += prefixHead < 0x18 ? 3 : 4;
        if (bytes[pos] === 0x61 && bytes[pos + 1] === LETTER_T) {
          pos = bytes[pos + 2] === 0xf6 ? pos + 3 : this.canonicalLink(bytes, pos + 2, true);
          if (pos > 0 && bytes[pos] === 0x61 && bytes[pos + 1] === LETTER_V) pos = this.canonicalLink(bytes, pos + 2, false);
          if (pos > 0 && pos <= reader.end) {
            reader.pos = pos;
            return this.compareEntry(bytes, prefix, suffixStart, suffixEnd);
          }
        }
      }
      prefix = -1;
      suffixStart = -1;
      this.treeStart = -1;
      this.entryValueStart = -1;
    }
    const fields = reader.readMapLength();
    for (let f = 0; f < fields; f++) {
      // Entry keys are one letter; compare the two bytes (0x61 = text of length 1) in place.
      const field = bytes[reader.pos] === 0x61 ? bytes[reader.pos + 1] : -1;
      if (field === -1) reader.skipValue();
      else reader.pos += 2;
      switch (field) {
        case LETTER_K:
          suffixStart = reader.readByteStringStart();
          suffixEnd = reader.pos;
          break;
        case LETTER_P:
          prefix = reader.readInteger();
          break;
        case LETTER_T:
          if (!reader.readNull()) {
            this.treeStart = reader.readCidStart();
            this.treeEnd = reader.pos;
          }
          break;
        case LETTER_V:
          this.entryValueStart = reader.readCidStart();
          this.entryValueEnd = reader.pos;
          break;
        default:
          reader.skipValue();
      }
    }
    if (suffixStart < 0 || this.entryValueStart < 0 || prefix < 0) throw new MalformedCarError('bad MST entry');
    return this.compareEntry(bytes, prefix, suffixStart, suffixEnd);
  }

  /**
   * A canonical tag-42 link at `pos` (`d8 2a 58 <length> 00 <cid>`): records it as the entry's
   * subtree (`tree`) or value, and returns the position after it, or -1 when not canonical.
   */
  private canonicalLink(bytes: Uint8Array, pos: number, tree: boolean): number {
    if (bytes[pos] !== 0xd8 || bytes[pos + 1] !== 0x2a || bytes[pos + 2] !== 0x58 || bytes[pos + 4] !== 0) return -1;
    const end = pos + 4 + bytes[pos + 3];
    if (tree) {
      this.treeStart = pos + 5;
      this.treeEnd = end;
    } else {
      this.entryValueStart = pos + 5;
      this.entryValueEnd = end;
    }
    return end;
  }

  /** How the entry's key (the previous key's first `prefix` bytes, then the suffix) compares with the path. */
  private compareEntry(bytes: Uint8Array, prefix: number, suffixStart: number, suffixEnd: number): number {
    this.valueStart = this.entryValueStart;
    this.valueEnd = this.entryValueEnd;
    const { matched } = this;
    if (prefix < matched) return 1;
    if (prefix > matched) return -1;
    const { target, targetLength } = this;
    let at = matched;
    for (let i = suffixStart; i < suffixEnd; i++, at++) {
      if (at === targetLength) return 1;
      const difference = bytes[i] - target[at];
      if (difference !== 0) {
        this.matched = at;
        return difference;
      }
    }
    this.matched = at;
    return at === targetLength ? 0 : -1;
  }

  /** Writes the path's UTF-8 bytes into `target`; returns their length, or -1 if too long. */
  private encodeTarget(path: string): number {
    if (path.length > MAX_MST_KEY_BYTES) return -1;
    for (let i = 0; i < path.length; i++) {
      const code = path.charCodeAt(i);
      if (code >= 0x80) {
        const { read, written } = new TextEncoder().encodeInto(path, this.target);
        return read === path.length ? written : -1;
      }
      this.target[i] = code;
    }
    return path.length;
  }

}

/**
 * An MST node `{e: [...], l}` as positions in the CAR: per entry, `ENTRY_FIELDS` numbers
 * (prefix length, key suffix start and end, subtree CID start and end (-1 when null), value CID
 * start and end); the left subtree CID (-1 when null).
 */
interface CanonicalNode {
  entries: Int32Array;
  leftStart: number;
  leftEnd: number;
  /** Where each subtree leads (left, then entry by entry): a block, NOT_FOUND, NODE_MISSING or UNRESOLVED. */
  children: Int32Array;
}

const UNRESOLVED = -4;

const VISITED_ONCE = 0;
const HASH_MISMATCH = 1;
const ENTRY_FIELDS = 7;
const PREFIX = 0;
const SUFFIX_START = 1;
const SUFFIX_END = 2;
const TREE_START = 3;
const TREE_END = 4;
const VALUE_START = 5;
const VALUE_END = 6;

/**
 * Reads the node at `bytes[start, end)` if it is in the canonical form every PDS writes: a map
 * of exactly `e` then `l`, entries as maps of exactly `k, p, t, v` with short heads, links as
 * tag 42 over a byte string of 0x00 and a CID. Returns null for anything else (or anything
 * running past `end`): those nodes go through `searchNode`, whose in-place reading decides how
 * far a malformed node is still usable. Accepting only this form is what makes the cached node
 * give the same result as `searchNode` for every path.
 */
function readCanonicalNode(bytes: Uint8Array, start: number, end: number): CanonicalNode | null {
  if (bytes[start] !== 0xa2 || bytes[start + 1] !== 0x61 || bytes[start + 2] !== LETTER_E) return null;
  let pos = start + 3;
  const head = bytes[pos];
  const count = head >= 0x80 && head < 0x98 ? head - 0x80 : head === 0x98 ? bytes[pos + 1] : -1;
  if (count < 0) return null;
  pos += head === 0x98 ? 2 : 1;
  const entries = new Int32Array(count * ENTRY_FIELDS);
  for (let i = 0; i < count; i++) {
    const at = i * ENTRY_FIELDS;
    if (bytes[pos] !== 0xa4 || bytes[pos + 1] !== 0x61 || bytes[pos + 2] !== LETTER_K) return null;
    pos += 3;
    const keyHead = bytes[pos];
    const keyLength = keyHead >= 0x40 && keyHead < 0x58 ? keyHead - 0x40 : keyHead === 0x58 ? bytes[pos + 1] : -1;
    if (keyLength < 0) return null;
    pos += keyHead === 0x58 ? 2 : 1;
    entries[at + SUFFIX_START] = pos;
    pos += keyLength;
    entries[at + SUFFIX_END] = pos;
    if (bytes[pos] !== 0x61 || bytes[pos + 1] !== LETTER_P) return null;
    const prefixHead = bytes[pos + 2];
    if (prefixHead < 0x18) entries[at + PREFIX] = prefixHead;
    else if (prefixHead === 0x18) entries[at + PREFIX] = bytes[pos + 3];
    else return null;
    pos += prefixHead < 0x18 ? 3 : 4;
    if (bytes[pos] !== 0x61 || bytes[pos + 1] !== LETTER_T) return null;
    pos = readCanonicalLinkOrNull(bytes, pos + 2, entries, at + TREE_START);
    if (pos < 0 || bytes[pos] !== 0x61 || bytes[pos + 1] !== LETTER_V) return null;
    pos = readCanonicalLinkOrNull(bytes, pos + 2, entries, at + VALUE_START);
    if (pos < 0 || entries[at + VALUE_START] < 0 || pos > end) return null;
  }
  if (bytes[pos] !== 0x61 || bytes[pos + 1] !== LETTER_L) return null;
  const left = new Int32Array(2);
  pos = readCanonicalLinkOrNull(bytes, pos + 2, left, 0);
  if (pos !== end) return null;
  return { entries, leftStart: left[0], leftEnd: left[1], children: new Int32Array(count + 1).fill(UNRESOLVED) };
}

/**
 * A null (`out[at]` = -1) or a canonical link (`d8 2a 58 <length> 00 <cid>`, a CID of at least
 * one byte: its start and end into `out[at]`, `out[at + 1]`) at `pos`; the position after it, or
 * -1 when it is neither.
 */
function readCanonicalLinkOrNull(bytes: Uint8Array, pos: number, out: Int32Array, at: number): number {
  if (bytes[pos] === 0xf6) {
    out[at] = -1;
    out[at + 1] = -1;
    return pos + 1;
  }
  const length = bytes[pos + 3];
  if (bytes[pos] !== 0xd8 || bytes[pos + 1] !== 0x2a || bytes[pos + 2] !== 0x58 || length < 2 || bytes[pos + 4] !== 0) return -1;
  out[at] = pos + 5;
  out[at + 1] = pos + 4 + length;
  return pos + 4 + length;
}

const FOUND = -2;
const NODE_MISSING = -3;
const NOT_FOUND = -1;
const LETTER_E = 0x65;
const LETTER_K = 0x6b;
const LETTER_L = 0x6c;
const LETTER_P = 0x70;
const LETTER_T = 0x74;
const LETTER_V = 0x76;

/** True when `a[aStart, aStart + length)` equals `b[bStart, bStart + length)`. */
function sameBytes(a: Uint8Array, aStart: number, b: Uint8Array, bStart: number, length: number): boolean {
  // From the end: CIDs of one commit share their prefix and differ in the digest.
  for (let i = length - 1; i >= 0; i--) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

/** CID bytes given their own table by `cidHash`; longer CIDs reuse them from the start. */
const CID_HASH_POSITIONS = 64;
const CID_HASH_ROWS = (CID_HASH_POSITIONS - 1) << 8;
/**
 * Random tables of `cidHash`, drawn once per process: whoever crafts a CAR cannot know them, so
 * cannot choose CIDs that share a slot (the old hash, the last four digest bytes, let 20,000
 * crafted blocks share one probe chain).
 */
const cidHashTable = randomFillSync(new Int32Array(CID_HASH_POSITIONS << 8));

/**
 * Tabulation hash of the whole binary CID `bytes[start, end)`: the XOR of a random number per
 * (position, byte value). Any two CIDs that differ in their first 64 bytes collide with
 * probability 2^-32, whatever bytes were chosen; and lookups are bounded anyway (`MAX_INDEX_PROBES`).
 */
function cidHash(bytes: Uint8Array, start: number, end: number): number {
  let hash = end - start;
  for (let i = start, row = 0; i < end; i++, row = (row + 256) & CID_HASH_ROWS) hash ^= cidHashTable[row | bytes[i]];
  return hash;
}

/** Bytes between the reads of `touchSequentially`: one cache line. */
const CACHE_LINE = 64;

/**
 * Reads one byte per cache line, front to back. The index then jumps from block header to block
 * header and the MST walk hops between nodes: on a CAR that is not in the CPU cache (a frame
 * that waited in a queue, or one of many frames replayed from memory) each jump is a cache miss,
 * costing more than the whole scan. A sequential pass is what the hardware prefetcher serves
 * best, so the later random reads hit the cache; on a CAR already in cache it costs ~0.1 µs.
 */
function touchSequentially(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += CACHE_LINE) sum += bytes[i];
  return sum;
}

/** A position in a CAR and the unsigned LEB128 varints read from it. */
class CarCursor {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
  ) {}

  /** A varint of at most 7 bytes (values below 2^49), advancing past it. */
  readVarint(): number {
    const { bytes } = this;
    let value = 0;
    let factor = 1;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= bytes.length) throw new MalformedCarError('truncated varint');
      const byte = bytes[this.pos++];
      value += (byte & 0x7f) * factor;
      if (byte < 0x80) return value;
      factor *= 128;
    }
    throw new MalformedCarError('varint too long');
  }
}

/** Byte length of the binary CID at the cursor (CIDv0: a bare sha-256 multihash; CIDv1: varints). */
function readCidLength(cursor: CarCursor, end: number): number {
  const { bytes, pos } = cursor;
  if (bytes[pos] === SHA2_256 && bytes[pos + 1] === SHA2_256_LENGTH) {
    if (pos + 2 + SHA2_256_LENGTH > end) throw new MalformedCarError('truncated CIDv0');
    return 2 + SHA2_256_LENGTH;
  }
  if (cursor.readVarint() !== 1) throw new MalformedCarError('unsupported CID version');
  cursor.readVarint(); // codec
  cursor.readVarint(); // multihash code
  const digestLength = cursor.readVarint();
  const cidEnd = cursor.pos + digestLength;
  if (cidEnd > end) throw new MalformedCarError('CID runs past its block');
  return cidEnd - pos;
}
