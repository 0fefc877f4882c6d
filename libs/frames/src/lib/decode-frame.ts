import type {
  AccountBody,
  CommitBody,
  FirehoseFrame,
  IdentityBody,
  InfoBody,
  RepoOp,
  SyncBody,
} from '@jetstream-ts/models';
import type { CID } from 'multiformats/cid';
import { CBOR_MAP, CBOR_UINT, CborError, CborReader, KeySet } from './cbor-reader.js';

const HEADER = new KeySet(['op', 't']);
const ERROR = new KeySet(['error', 'message']);
const COMMIT = new KeySet(['seq', 'rebase', 'tooBig', 'repo', 'commit', 'rev', 'since', 'blocks', 'ops', 'blobs', 'prevData', 'time']);
const OP = new KeySet(['action', 'path', 'cid', 'prev']);
/** The actions every op has, matched in place so that each op reuses one string. */
const ACTION_NAMES = ['create', 'update', 'delete'] as const;
const ACTIONS = new KeySet(ACTION_NAMES);
const IDENTITY = new KeySet(['seq', 'did', 'time', 'handle']);
const ACCOUNT = new KeySet(['seq', 'did', 'time', 'active', 'status']);
const SYNC = new KeySet(['seq', 'did', 'blocks', 'rev', 'time']);
const INFO = new KeySet(['name', 'message']);
const SEQ = new KeySet(['seq']);

/**
 * Decodes one `subscribeRepos` frame (a DAG-CBOR header `{op, t}` followed by a DAG-CBOR body)
 * with the hand-written reader: only the fields the frame type defines are decoded, `blocks`
 * stays a zero-copy subarray of `bytes`, and unknown fields are skipped.
 *
 * Never throws: error frames (op -1) become `{type: 'error'}`, message types it does not know
 * (`#labels`, `#handle`, future types) become `{type: 'unknown', t, seq?}`, and malformed
 * frames become `{type: 'invalid', reason}`. Tolerates what real relays send (`blobs: null`,
 * absent `since`/`prevData`/`rebase`/`tooBig`, and `rev` (empty) in frames from before revs
 * existed); requires the other fields the lexicon requires. The specs' reference decoder applies the
 * same rules to library-decoded objects.
 *
 * @param bytes One websocket binary message.
 * @return The typed frame.
 */
export function decodeFrame(bytes: Uint8Array): FirehoseFrame {
  const size = bytes.length;
  try {
    const reader = new CborReader(bytes);
    const { op, t } = readHeader(reader);
    let frame: FirehoseFrame;
    if (op === -1) {
      const body = readErrorBody(reader);
      frame =
        body.message === undefined
          ? { type: 'error', size, error: body.error }
          : { type: 'error', size, error: body.error, message: body.message };
    } else if (op !== 1) {
      return { type: 'invalid', size, reason: `unknown header op ${op}` };
    } else if (t === undefined) {
      return { type: 'invalid', size, reason: 'message header without t' };
    } else {
      frame = readMessage(reader, t, size);
    }
    if (!reader.atEnd()) return { type: 'invalid', size, reason: 'bytes after the frame body' };
    return frame;
  } catch (error) {
    return { type: 'invalid', size, reason: (error as Error).message };
  }
}

function readMessage(reader: CborReader, t: string, size: number): FirehoseFrame {
  switch (t) {
    case '#commit':
      return { type: 'commit', size, body: readCommitBody(reader) };
    case '#identity':
      return { type: 'identity', size, body: readIdentityBody(reader) };
    case '#account':
      return { type: 'account', size, body: readAccountBody(reader) };
    case '#sync':
      return { type: 'sync', size, body: readSyncBody(reader) };
    case '#info':
      return { type: 'info', size, body: readInfoBody(reader) };
    default: {
      const seq = readUnknownSeq(reader);
      return seq === undefined ? { type: 'unknown', size, t } : { type: 'unknown', size, t, seq };
    }
  }
}

function readHeader(reader: CborReader): { op: number; t: string | undefined } {
  let op: number | undefined;
  let t: string | undefined;
  const length = reader.readMapLength();
  for (let i = 0; i < length; i++) {
    const key = reader.readKey(HEADER);
    if (key === HEADER.id.op) op = reader.readInteger();
    else if (key === HEADER.id.t) t = reader.readText();
    else reader.skipValue();
  }
  if (op === undefined) throw new CborError('header without op');
  return { op, t };
}

function readErrorBody(reader: CborReader): { error: string; message?: string } {
  let error: string | undefined;
  let message: string | undefined;
  const length = reader.readMapLength();
  for (let i = 0; i < length; i++) {
    const key = reader.readKey(ERROR);
    if (key === ERROR.id.error) error = reader.readText();
    else if (key === ERROR.id.message) message = reader.readNull() ? undefined : reader.readText();
    else reader.skipValue();
  }
  if (error === undefined) throw missing('error', 'error');
  return message === undefined ? { error } : { error, message };
}

function readCommitBody(reader: CborReader): CommitBody {
  let seq: number | undefined;
  let rebase = false;
  let tooBig = false;
  let repo: string | undefined;
  let commit: CID | undefined;
  let rev = '';
  let since: string | null = null;
  let blocks: Uint8Array | undefined;
  let ops: RepoOp[] | undefined;
  let blobs: CID[] = [];
  let prevData: CID | null | undefined;
  let hasPrevData = false;
  let time: string | undefined;
  const length = reader.readMapLength();
  for (let i = 0; i < length; i++) {
    switch (reader.readKey(COMMIT)) {
      case COMMIT.id.seq:
        seq = readSeq(reader);
        break;
      case COMMIT.id.rebase:
        rebase = reader.readNull() ? false : reader.readBoolean();
        break;
      case COMMIT.id.tooBig:
        tooBig = reader.readNull() ? false : reader.readBoolean();
        break;
      case COMMIT.id.repo:
        repo = reader.readText();
        break;
      case COMMIT.id.commit:
        commit = reader.readCid();
        break;
      case COMMIT.id.rev:
        rev = reader.readNull() ? '' : reader.readText();
        break;
      case COMMIT.id.since:
        since = reader.readNull() ? null : reader.readText();
        break;
      case COMMIT.id.blocks:
        blocks = reader.readByteString();
        break;
      case COMMIT.id.ops:
        ops = readOps(reader);
        break;
      case COMMIT.id.blobs:
        blobs = reader.readNull() ? [] : readCids(reader);
        break;
      case COMMIT.id.prevData:
        hasPrevData = true;
        prevData = reader.readNull() ? null : reader.readCid();
        break;
      case COMMIT.id.time:
        time = reader.readText();
        break;
      default:
        reader.skipValue();
    }
  }
  if (seq === undefined) throw missing('#commit', 'seq');
  if (repo === undefined) throw missing('#commit', 'repo');
  if (commit === undefined) throw missing('#commit', 'commit');
  if (blocks === undefined) throw missing('#commit', 'blocks');
  if (ops === undefined) throw missing('#commit', 'ops');
  if (time === undefined) throw missing('#commit', 'time');
  const body: CommitBody = { seq, rebase, tooBig, repo, commit, rev, since, blocks, ops, blobs, time };
  if (hasPrevData) body.prevData = prevData;
  return body;
}

function readOps(reader: CborReader): RepoOp[] {
  const count = reader.readArrayLength();
  const ops: RepoOp[] = [];
  for (let i = 0; i < count; i++) ops.push(readOp(reader));
  return ops;
}

function readOp(reader: CborReader): RepoOp {
  let action: string | undefined;
  let path: string | undefined;
  let cid: CID | null = null;
  let prev: CID | null | undefined;
  let hasPrev = false;
  const length = reader.readMapLength();
  for (let i = 0; i < length; i++) {
    switch (reader.readKey(OP)) {
      case OP.id.action: {
        const start = reader.pos;
        const known = reader.readKey(ACTIONS);
        if (known >= 0) action = ACTION_NAMES[known];
        else {
          reader.pos = start;
          action = reader.readText();
        }
        break;
      }
      case OP.id.path:
        path = reader.readText();
        break;
      case OP.id.cid:
        cid = reader.readNull() ? null : reader.readCid();
        break;
      case OP.id.prev:
        hasPrev = true;
        prev = reader.readNull() ? null : reader.readCid();
        break;
      default:
        reader.skipValue();
    }
  }
  if (action === undefined) throw missing('repoOp', 'action');
  if (path === undefined) throw missing('repoOp', 'path');
  const op: RepoOp = { action, path, cid };
  if (hasPrev) op.prev = prev;
  return op;
}

function readCids(reader: CborReader): CID[] {
  const count = reader.readArrayLength();
  const cids: CID[] = [];
  for (let i = 0; i < count; i++) cids.push(reader.readCid());
  return cids;
}

function readIdentityBody(reader: CborReader): IdentityBody {
  let seq: number | undefined;
  let did: string | undefined;
  let time: string | undefined;
  let handle: string | undefined;
  const length = reader.readMapLength();
  for (let i = 0; i < length; i++) {
    switch (reader.readKey(IDENTITY)) {
      case IDENTITY.id.seq:
        seq = readSeq(reader);
        break;
      case IDENTITY.id.did:
        did = reader.readText();
        break;
      case IDENTITY.id.time:
        time = reader.readText();
        break;
      case IDENTITY.id.handle:
        handle = reader.readNull() ? undefined : reader.readText();
        break;
      default:
        reader.skipValue();
    }
  }
  if (seq === undefined) throw missing('#identity', 'seq');
  if (did === undefined) throw missing('#identity', 'did');
  if (time === undefined) throw missing('#identity', 'time');
  return handle === undefined ? { seq, did, time } : { seq, did, time, handle };
}

function readAccountBody(reader: CborReader): AccountBody {
  let seq: number | undefined;
  let did: string | undefined;
  let time: string | undefined;
  let active: boolean | undefined;
  let status: string | undefined;
  const length = reader.readMapLength();
  for (let i = 0; i < length; i++) {
    switch (reader.readKey(ACCOUNT)) {
      case ACCOUNT.id.seq:
        seq = readSeq(reader);
        break;
      case ACCOUNT.id.did:
        did = reader.readText();
        break;
      case ACCOUNT.id.time:
        time = reader.readText();
        break;
      case ACCOUNT.id.active:
        active = reader.readBoolean();
        break;
      case ACCOUNT.id.status:
        status = reader.readNull() ? undefined : reader.readText();
        break;
      default:
        reader.skipValue();
    }
  }
  if (seq === undefined) throw missing('#account', 'seq');
  if (did === undefined) throw missing('#account', 'did');
  if (time === undefined) throw missing('#account', 'time');
  if (active === undefined) throw missing('#account', 'active');
  return status === undefined ? { seq, did, time, active } : { seq, did, time, active, status };
}

function readSyncBody(reader: CborReader): SyncBody {
  let seq: number | undefined;
  let did: string | undefined;
  let blocks: Uint8Array | undefined;
  let rev: string | undefined;
  let time: string | undefined;
  const length = reader.readMapLength();
  for (let i = 0; i < length; i++) {
    switch (reader.readKey(SYNC)) {
      case SYNC.id.seq:
        seq = readSeq(reader);
        break;
      case SYNC.id.did:
        did = reader.readText();
        break;
      case SYNC.id.blocks:
        blocks = reader.readByteString();
        break;
      case SYNC.id.rev:
        rev = reader.readText();
        break;
      case SYNC.id.time:
        time = reader.readText();
        break;
      default:
        reader.skipValue();
    }
  }
  if (seq === undefined) throw missing('#sync', 'seq');
  if (did === undefined) throw missing('#sync', 'did');
  if (blocks === undefined) throw missing('#sync', 'blocks');
  if (rev === undefined) throw missing('#sync', 'rev');
  if (time === undefined) throw missing('#sync', 'time');
  return { seq, did, blocks, rev, time };
}

function readInfoBody(reader: CborReader): InfoBody {
  let name: string | undefined;
  let message: string | undefined;
  const length = reader.readMapLength();
  for (let i = 0; i < length; i++) {
    switch (reader.readKey(INFO)) {
      case INFO.id.name:
        name = reader.readText();
        break;
      case INFO.id.message:
        message = reader.readNull() ? undefined : reader.readText();
        break;
      default:
        reader.skipValue();
    }
  }
  if (name === undefined) throw missing('#info', 'name');
  return message === undefined ? { name } : { name, message };
}

/** The `seq` of a message type we do not decode, when its body is a map with an integer `seq`. */
function readUnknownSeq(reader: CborReader): number | undefined {
  if (reader.peekMajor() !== CBOR_MAP) {
    reader.skipValue();
    return undefined;
  }
  let seq: number | undefined;
  const length = reader.readMapLength();
  for (let i = 0; i < length; i++) {
    const key = reader.readKey(SEQ);
    const major = reader.peekMajor();
    if (key === SEQ.id.seq && major === CBOR_UINT) seq = reader.readInteger();
    else reader.skipValue();
  }
  return seq;
}

/**
 * A relay's sequence number: cursors, the store's relay cursor and the NATS de-duplication id
 * count on it being a whole number >= 0, so a frame with a negative one is invalid (v1 would
 * carry it on).
 */
function readSeq(reader: CborReader): number {
  const seq = reader.readInteger();
  if (seq < 0) throw new CborError(`negative seq ${seq}`);
  return seq;
}

function missing(type: string, field: string): CborError {
  return new CborError(`${type} body without ${field}`);
}
