import { hash } from 'node:crypto';
import { CborReader, KeySet } from '@jetstream-ts/frames';
import type { CommitBody, DropReporter, FirehoseFrame, RepoOp } from '@jetstream-ts/models';
import type { CID } from 'multiformats/cid';

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

export type CommitFrame = Extract<FirehoseFrame, { type: 'commit' }>;

/** A commit frame with the records of its ops. */
export interface CommitWithRecords {
  frame: CommitFrame;
  records: OpRecords;
}

/** What `extractRecords` emits: commits with their records, other frames as they were. */
export type FrameWithRecords = CommitWithRecords | { frame: Exclude<FirehoseFrame, CommitFrame>; records?: undefined };

/** Ops whose record v1 resolves (create and update); other actions carry none. */
export function carriesRecord(op: RepoOp): boolean {
  return op.action === 'create' || op.action === 'update';
}

const CAR_HEADER = new KeySet(['roots', 'version']);
const SIGNED_COMMIT = new KeySet(['version']);
const SHA2_256 = 0x12;
const SHA2_256_LENGTH = 32;
const CAR_VERSION = 1;
/** v1 (indigo `OpenRepo`) accepts signed commits of repo version 2 and 3 only. */
const REPO_VERSIONS = new Set([2, 3]);

/** The CAR is not a CAR v1 whose first root is a signed commit block inside it. */
export class MalformedCarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedCarError';
  }
}

/**
 * Takes the records of a commit's create and update ops from its `blocks` CAR, in one pass over
 * the CAR and without decoding MST nodes: a record is the block whose CID is the op's `cid`.
 * Each record block found is verified (sha-256 of its bytes against the CID's multihash).
 *
 * Like v1 (`ReadRepoFromCar`), the CAR must be a CAR v1 whose first root names a signed-commit
 * block of repo version 2 or 3 that the CAR holds; otherwise the whole commit is dropped (stage
 * `commit`, reason `malformed-car`) and the result is undefined. A record block that is missing
 * (`record-missing`), does not hash to its CID (`record-hash-mismatch`) or uses a hash other than
 * sha-256 (`unsupported-hash`) drops that op only (stage `op`); the other ops keep their records.
 * v1 resolves records through the MST and checks the CID it finds against `op.cid`; looking the
 * block up by `op.cid` and verifying its hash gives the same records without reading MST nodes.
 *
 * @param commit A `#commit` body.
 * @param drops Where dropped commits and ops are reported.
 * @return The records aligned with `commit.ops`, or undefined when the CAR is malformed.
 */
export function extractCommitRecords(commit: CommitBody, drops?: DropReporter): OpRecords | undefined {
  const { ops, blocks } = commit;
  const records: OpRecords = new Array<RecordBlock | undefined>(ops.length).fill(undefined);
  let wanted = 0;
  for (const op of ops) if (op.cid !== null && carriesRecord(op)) wanted++;
  try {
    const { rootCid, blocksStart } = readCarHeader(blocks);
    let commitVersionSeen = false;
    let found = 0;
    const cursor = new CarCursor(blocks, blocksStart);
    while (cursor.pos < blocks.length) {
      const length = cursor.readVarint();
      const pos = cursor.pos;
      const blockEnd = pos + length;
      if (length === 0 || blockEnd > blocks.length) throw new MalformedCarError('block runs past the end of the CAR');
      const cidLength = readCidLength(cursor, blockEnd);
      if (!commitVersionSeen && sameBytes(blocks, pos, cidLength, rootCid)) {
        checkCommitVersion(blocks, pos + cidLength, blockEnd);
        commitVersionSeen = true;
      }
      if (found < wanted) {
        for (let i = 0; i < ops.length; i++) {
          const op = ops[i];
          const cid = op.cid;
          if (cid === null || records[i] !== undefined || !carriesRecord(op)) continue;
          if (!sameBytes(blocks, pos, cidLength, cid.bytes)) continue;
          records[i] = { cid, bytes: blocks.subarray(pos + cidLength, blockEnd) };
          found++;
        }
      }
      cursor.pos = blockEnd;
    }
    if (!commitVersionSeen) throw new MalformedCarError('the root commit block is not in the CAR');
  } catch (error) {
    drops?.drop({ stage: 'commit', reason: 'malformed-car', detail: (error as Error).message, seq: commit.seq, did: commit.repo });
    return undefined;
  }
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op.cid === null || !carriesRecord(op)) continue;
    const record = records[i];
    const problem = record === undefined ? 'record-missing' : verifyBlock(record);
    if (problem === undefined) continue;
    records[i] = undefined;
    drops?.drop({ stage: 'op', reason: problem, detail: op.cid.toString(), seq: commit.seq, did: commit.repo, path: op.path });
  }
  return records;
}

/** Why a block does not match its CID, or undefined when it does. */
export function verifyBlock(block: RecordBlock): 'record-hash-mismatch' | 'unsupported-hash' | undefined {
  const { multihash } = block.cid;
  if (multihash.code !== SHA2_256 || multihash.size !== SHA2_256_LENGTH) return 'unsupported-hash';
  const actual = hash('sha256', block.bytes, 'buffer');
  const expected = multihash.digest;
  for (let i = 0; i < SHA2_256_LENGTH; i++) if (actual[i] !== expected[i]) return 'record-hash-mismatch';
  return undefined;
}

/** The CAR v1 header: `{roots: [CID, ...], version: 1}`; returns the first root's bytes. */
function readCarHeader(car: Uint8Array): { rootCid: Uint8Array; blocksStart: number } {
  const cursor = new CarCursor(car, 0);
  const length = cursor.readVarint();
  const start = cursor.pos;
  const end = start + length;
  if (length === 0 || end > car.length) throw new MalformedCarError('truncated CAR header');
  const reader = new CborReader(car, start, end);
  let rootCid: Uint8Array | undefined;
  let version: number | undefined;
  try {
    const entries = reader.readMapLength();
    for (let i = 0; i < entries; i++) {
      const key = reader.readKey(CAR_HEADER);
      if (key === CAR_HEADER.id.version) version = reader.readInteger();
      else if (key === CAR_HEADER.id.roots) {
        const roots = reader.readArrayLength();
        for (let r = 0; r < roots; r++) {
          const cid = reader.readCidBytes();
          if (r === 0) rootCid = cid;
        }
      } else reader.skipValue();
    }
  } catch (error) {
    throw new MalformedCarError(`CAR header: ${(error as Error).message}`);
  }
  if (!reader.atEnd()) throw new MalformedCarError('CAR header has trailing bytes');
  if (version !== CAR_VERSION) throw new MalformedCarError(`CAR version ${version} is not 1`);
  if (rootCid === undefined) throw new MalformedCarError('CAR has no root');
  return { rootCid, blocksStart: end };
}

/** The signed commit's `version` must be 2 or 3 (v1 `OpenRepo`). */
function checkCommitVersion(car: Uint8Array, start: number, end: number): void {
  let version: number | undefined;
  try {
    const reader = new CborReader(car, start, end);
    const entries = reader.readMapLength();
    for (let i = 0; i < entries; i++) {
      if (reader.readKey(SIGNED_COMMIT) === SIGNED_COMMIT.id.version) version = reader.readInteger();
      else reader.skipValue();
    }
  } catch (error) {
    throw new MalformedCarError(`commit block: ${(error as Error).message}`);
  }
  if (version === undefined || !REPO_VERSIONS.has(version)) throw new MalformedCarError(`unsupported repo version ${version}`);
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

function sameBytes(bytes: Uint8Array, pos: number, length: number, other: Uint8Array): boolean {
  if (length !== other.length) return false;
  // Compare from the end: CIDs of one commit share their prefix and differ in the digest.
  for (let i = length - 1; i >= 0; i--) if (bytes[pos + i] !== other[i]) return false;
  return true;
}
