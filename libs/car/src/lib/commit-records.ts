import { MAX_MST_DEPTH, type CommitBody, type DropReporter, type FirehoseFrame, type RepoOp } from '@jetstream-ts/models';
import { CID } from 'multiformats/cid';
import { CarIndex, MstLookup, type MstMiss } from './car-index.js';
import { DEFAULT_COMMIT_BUDGET, OverBudgetError, type CommitBudget } from './commit-budget.js';
import { SHA2_256, SHA2_256_LENGTH, hashesTo } from './sha256.js';

/** A record block taken from a commit's CAR: its CID (the op's) and its bytes (a view of the CAR). */
export interface RecordBlock {
  cid: CID;
  bytes: Uint8Array;
}

/**
 * The records of a commit's ops, aligned with `body.ops`: entry `i` is the record of op `i`, or
 * undefined when op `i` carries no record (a delete, a missing cid) or its record was dropped.
 */
export type OpRecords = (RecordBlock | undefined)[];

const OVER_BUDGET = 'over-budget';

export type CommitFrame = Extract<FirehoseFrame, { type: 'commit' }>;

/** A commit frame with the records of its ops. */
export interface CommitWithRecords {
  frame: CommitFrame;
  records: OpRecords;
}

/**
 * Ops whose record v1 resolves: creates and updates whose path has a `/` (v1 splits the path
 * first and crashes on one without; the mapping drops and reports those, so resolving them
 * here would only report the same op twice).
 */
export function carriesRecord(op: RepoOp): boolean {
  return (op.action === 'create' || op.action === 'update') && op.path.includes('/');
}

/**
 * Takes the records of a commit's create and update ops from its `blocks` CAR, resolving each
 * as v1 does (reference §2.4): the record's path is looked up in the MST from the signed
 * commit's `data` root, the CID found must equal `op.cid`, and the record is the block with that
 * CID. The CAR is indexed in one pass and MST nodes are read in place (only those on each
 * path; no objects); each record block is verified (sha-256 of its bytes against its CID).
 *
 * Like v1 (`ReadRepoFromCar`), the CAR must be a CAR v1 whose first root names a signed-commit
 * block of repo version 2 or 3 that the CAR holds; otherwise the whole commit is dropped (stage
 * `commit`, reason `malformed-car`) and the result is undefined. Per op (stage `op`, that op
 * only): MST node missing or path not in the MST → `record-missing` (v1 "failed to get record
 * bytes"); MST CID differing from `op.cid` → `record-cid-mismatch`; record block missing →
 * `record-missing`; block not hashing to its CID → `record-hash-mismatch`; a hash other than
 * sha-256 → `unsupported-hash`; an MST node on the path not hashing to its CID →
 * `mst-node-hash-mismatch`; a path longer than `MAX_MST_DEPTH` nodes → `mst-too-deep`.
 *
 * Hostile input costs bounded work: past `budget` (CAR bytes, blocks, MST nodes and entries
 * read by all ops together) the whole commit is dropped (stage `commit`, reason `over-budget`), as it is
 * when its block CIDs were crafted to collide in the block index.
 *
 * @param commit A `#commit` body.
 * @param drops Where dropped commits and ops are reported.
 * @param budget The work the commit may cost; the models' `MAX_COMMIT_*` limits by default.
 * @return The records aligned with `commit.ops`, or undefined when the CAR is malformed or over budget.
 */
export function extractCommitRecords(
  commit: CommitBody,
  drops?: DropReporter,
  budget: Readonly<CommitBudget> = DEFAULT_COMMIT_BUDGET,
): OpRecords | undefined {
  const { ops } = commit;
  let index: CarIndex;
  let mstRoot: { start: number; end: number };
  try {
    index = new CarIndex(commit.blocks, budget);
    mstRoot = index.readMstRoot();
  } catch (error) {
    const reason = error instanceof OverBudgetError ? 'over-budget' : 'malformed-car';
    drops?.drop({ stage: 'commit', reason, detail: (error as Error).message, seq: commit.seq, did: commit.repo });
    return undefined;
  }
  const records: OpRecords = new Array<RecordBlock | undefined>(ops.length).fill(undefined);
  let mst: MstLookup | undefined;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const cid = op.cid;
    if (cid === null || !carriesRecord(op)) continue;
    mst ??= new MstLookup(index, mstRoot, budget);
    const found = findRecord(index, mst, op.path, cid);
    if (found === OVER_BUDGET) {
      const detail =
        mst.visits > budget.maxMstNodeVisits
          ? `more than ${budget.maxMstNodeVisits} MST node visits`
          : `more than ${budget.maxMstEntryReads} MST entries read`;
      drops?.drop({ stage: 'commit', reason: 'over-budget', detail, seq: commit.seq, did: commit.repo });
      return undefined;
    }
    if (typeof found === 'number') {
      const record = { cid, bytes: index.car.subarray(index.dataStart[found], index.dataEnd[found]) };
      const mismatch = verifyBlock(record);
      if (mismatch === undefined) {
        records[i] = record;
        continue;
      }
      drops?.drop({ stage: 'op', reason: mismatch, detail: cid.toString(), seq: commit.seq, did: commit.repo, path: op.path });
    } else {
      drops?.drop({ stage: 'op', reason: found.reason, detail: found.detail, seq: commit.seq, did: commit.repo, path: op.path });
    }
  }
  return records;
}

/**
 * How each MST miss is reported: as v1's "failed to get record bytes" (`record-missing`, the miss
 * as detail), or, for hostile MSTs v1 does not check, as a reason of its own.
 */
const MISS_REPORTS: Record<Exclude<MstMiss, 'over-budget'>, { reason: string; detail: string }> = {
  'mst-node-missing': { reason: 'record-missing', detail: 'mst-node-missing' },
  'not-in-mst': { reason: 'record-missing', detail: 'not-in-mst' },
  'malformed-mst-node': { reason: 'record-missing', detail: 'malformed-mst-node' },
  'mst-node-hash-mismatch': { reason: 'mst-node-hash-mismatch', detail: 'an MST node on the path does not hash (sha-256) to its CID' },
  'mst-too-deep': { reason: 'mst-too-deep', detail: `more than ${MAX_MST_DEPTH} MST nodes on the path` },
};

/** The block index of the op's record, or why there is none (`OVER_BUDGET`: the commit's MST reads are spent). */
function findRecord(index: CarIndex, mst: MstLookup, path: string, cid: CID): number | typeof OVER_BUDGET | { reason: string; detail: string } {
  const miss = mst.find(path);
  if (miss === 'over-budget') return OVER_BUDGET;
  if (miss !== undefined) return MISS_REPORTS[miss];
  const cidBytes = cid.bytes;
  const { car } = index;
  const { valueStart, valueEnd } = mst;
  let same = valueEnd - valueStart === cidBytes.length;
  for (let i = 0; same && i < cidBytes.length; i++) same = car[valueStart + i] === cidBytes[i];
  if (!same) return { reason: 'record-cid-mismatch', detail: `MST has ${cidToString(car.subarray(valueStart, valueEnd))}, op has ${cid}` };
  const block = index.find(cidBytes, 0, cidBytes.length);
  return block < 0 ? { reason: 'record-missing', detail: `block ${cid} not in the CAR` } : block;
}

/** Why a block does not match its CID, or undefined when it does. */
export function verifyBlock(block: RecordBlock): 'record-hash-mismatch' | 'unsupported-hash' | undefined {
  const { multihash } = block.cid;
  if (multihash.code !== SHA2_256 || multihash.size !== SHA2_256_LENGTH) return 'unsupported-hash';
  return hashesTo(block.bytes, multihash.digest, 0) ? undefined : 'record-hash-mismatch';
}

function cidToString(bytes: Uint8Array): string {
  try {
    return CID.decode(bytes).toString();
  } catch {
    return 'an invalid CID';
  }
}
