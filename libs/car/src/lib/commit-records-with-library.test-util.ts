import { CarReader } from '@ipld/car';
import * as dagCbor from '@ipld/dag-cbor';
import { MAX_MST_DEPTH, type CommitBody, type DropReporter } from '@jetstream-ts/models';
import type { CID } from 'multiformats/cid';
import { carriesRecord, verifyBlock, type OpRecords } from './commit-records.js';

interface MstNode {
  l: CID | null;
  e: { p: number; k: Uint8Array; v: CID; t: CID | null }[];
}

/**
 * The reference for `extractCommitRecords`, built on `@ipld/car` (`CarReader.fromBytes`) and
 * `@ipld/dag-cbor`: the same contract and drop reasons, reached by decoding every block and
 * walking MST node objects. Tests use it to check the in-place scanner.
 *
 * @param commit A `#commit` body.
 * @param drops Where dropped commits and ops are reported.
 * @return The records aligned with `commit.ops`, or undefined when the CAR is malformed.
 */
export async function extractCommitRecordsWithLibrary(commit: CommitBody, drops?: DropReporter): Promise<OpRecords | undefined> {
  let reader: CarReader;
  let data: CID;
  try {
    reader = await CarReader.fromBytes(commit.blocks);
    const [root] = await reader.getRoots();
    if (root === undefined) throw new Error('CAR has no root');
    const commitBlock = await reader.get(root);
    if (commitBlock === undefined) throw new Error('the root commit block is not in the CAR');
    const signed = dagCbor.decode<{ version?: unknown; data?: CID }>(commitBlock.bytes);
    if (signed.version !== 2 && signed.version !== 3) throw new Error(`unsupported repo version ${String(signed.version)}`);
    if (signed.data === undefined) throw new Error('commit block without data');
    data = signed.data;
  } catch (error) {
    drops?.drop({ stage: 'commit', reason: 'malformed-car', detail: (error as Error).message, seq: commit.seq, did: commit.repo });
    return undefined;
  }
  const records: OpRecords = [];
  for (const op of commit.ops) {
    records.push(undefined);
    if (op.cid === null || !carriesRecord(op)) continue;
    const drop = (reason: string, detail: string) =>
      drops?.drop({ stage: 'op', reason, detail, seq: commit.seq, did: commit.repo, path: op.path });
    const found = await lookup(reader, data, new TextEncoder().encode(op.path));
    if (typeof found === 'string') {
      if (found === 'mst-node-hash-mismatch' || found === 'mst-too-deep') drop(found, HOSTILE_MST_DETAILS[found]);
      else drop('record-missing', found);
      continue;
    }
    if (!found.equals(op.cid)) {
      drop('record-cid-mismatch', `MST has ${found}, op has ${op.cid}`);
      continue;
    }
    const block = await reader.get(op.cid);
    if (block === undefined) {
      drop('record-missing', `block ${op.cid} not in the CAR`);
      continue;
    }
    const record = { cid: op.cid, bytes: block.bytes };
    const mismatch = verifyBlock(record);
    if (mismatch === undefined) records[records.length - 1] = record;
    else drop(mismatch, op.cid.toString());
  }
  return records;
}

const HOSTILE_MST_DETAILS = {
  'mst-node-hash-mismatch': 'an MST node on the path does not hash (sha-256) to its CID',
  'mst-too-deep': `more than ${MAX_MST_DEPTH} MST nodes on the path`,
};

/**
 * v1's MST walk over decoded nodes: the value CID at `key`, or why there is none; plus what v1
 * does not check: each node hashes to its CID, at most `MAX_MST_DEPTH` nodes on the path.
 */
async function lookup(reader: CarReader, root: CID, key: Uint8Array): Promise<CID | string> {
  let nodeCid: CID | null = root;
  for (let depth = 1; nodeCid !== null; depth++) {
    const block = await reader.get(nodeCid);
    if (block === undefined) return 'mst-node-missing';
    if (depth > MAX_MST_DEPTH) return 'mst-too-deep';
    if (verifyBlock({ cid: nodeCid, bytes: block.bytes }) !== undefined) return 'mst-node-hash-mismatch';
    let node: MstNode;
    try {
      node = dagCbor.decode<MstNode>(block.bytes);
    } catch {
      return 'malformed-mst-node';
    }
    let subtree: CID | null = node.l;
    let previous = new Uint8Array(0);
    let next: CID | null | undefined;
    for (const entry of node.e) {
      const entryKey = new Uint8Array([...previous.subarray(0, entry.p), ...entry.k]);
      previous = entryKey;
      const order = Buffer.compare(entryKey, key);
      if (order === 0) return entry.v;
      if (order > 0) {
        next = subtree;
        break;
      }
      subtree = entry.t;
    }
    nodeCid = next === undefined ? subtree : next;
  }
  return 'not-in-mst';
}
