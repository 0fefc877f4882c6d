import * as dagCbor from '@ipld/dag-cbor';
import type { CommitBody, FirehoseFrame, RepoOp } from '@jetstream-ts/models';
import { decodeFirst } from 'cborg';
import { CID } from 'multiformats/cid';

/**
 * The reference decoder: the same contract as `decodeFrame`, built on the libraries
 * (`cborg.decodeFirst` with `@ipld/dag-cbor`'s decode options for the header, `@ipld/dag-cbor`
 * for the body), then the same field rules applied to the decoded objects. Slower; tests use it
 * to check that the hand-written path gives identical frames.
 *
 * @param bytes One websocket binary message.
 * @return The typed frame (never throws).
 */
export function decodeFrameWithLibrary(bytes: Uint8Array): FirehoseFrame {
  const size = bytes.length;
  try {
    const [header, rest] = decodeFirst(bytes, dagCbor.decodeOptions) as [unknown, Uint8Array];
    const body: unknown = dagCbor.decode(rest);
    const { op, t } = toHeader(header);
    if (op === -1) {
      const error = field(body, 'error', 'error', isString);
      const message = optional(body, 'message', 'error', isString);
      return message === undefined ? { type: 'error', size, error } : { type: 'error', size, error, message };
    }
    if (op !== 1) return { type: 'invalid', size, reason: `unknown header op ${op}` };
    if (t === undefined) return { type: 'invalid', size, reason: 'message header without t' };
    return toMessage(body, t, size);
  } catch (error) {
    return { type: 'invalid', size, reason: (error as Error).message };
  }
}

type Check<T> = (value: unknown) => value is T;

const isString: Check<string> = (value): value is string => typeof value === 'string';
const isBoolean: Check<boolean> = (value): value is boolean => typeof value === 'boolean';
const isBytes: Check<Uint8Array> = (value): value is Uint8Array => value instanceof Uint8Array;
const isCid: Check<CID> = (value): value is CID => CID.asCID(value) !== null;
const isSafeInteger: Check<number> = (value): value is number => Number.isSafeInteger(value);
const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !isCid(value);

function toHeader(header: unknown): { op: number; t: string | undefined } {
  const op = field(header, 'op', 'header', isSafeInteger);
  const t = isMap(header) && 't' in header ? field(header, 't', 'header', isString) : undefined;
  return { op, t };
}

function toMessage(body: unknown, t: string, size: number): FirehoseFrame {
  switch (t) {
    case '#commit':
      return { type: 'commit', size, body: toCommitBody(body) };
    case '#identity': {
      const type = '#identity';
      const base = { seq: seqOf(body, type), did: field(body, 'did', type, isString), time: field(body, 'time', type, isString) };
      const handle = optional(body, 'handle', type, isString);
      return { type: 'identity', size, body: handle === undefined ? base : { ...base, handle } };
    }
    case '#account': {
      const type = '#account';
      const base = {
        seq: seqOf(body, type),
        did: field(body, 'did', type, isString),
        time: field(body, 'time', type, isString),
        active: field(body, 'active', type, isBoolean),
      };
      const status = optional(body, 'status', type, isString);
      return { type: 'account', size, body: status === undefined ? base : { ...base, status } };
    }
    case '#sync': {
      const type = '#sync';
      return {
        type: 'sync',
        size,
        body: {
          seq: seqOf(body, type),
          did: field(body, 'did', type, isString),
          blocks: field(body, 'blocks', type, isBytes),
          rev: field(body, 'rev', type, isString),
          time: field(body, 'time', type, isString),
        },
      };
    }
    case '#info': {
      const name = field(body, 'name', '#info', isString);
      const message = optional(body, 'message', '#info', isString);
      return { type: 'info', size, body: message === undefined ? { name } : { name, message } };
    }
    default: {
      const seq = isMap(body) ? body['seq'] : undefined;
      if (typeof seq === 'bigint') throw new Error('integer beyond 2^53');
      return typeof seq === 'number' && Number.isInteger(seq) ? { type: 'unknown', size, t, seq } : { type: 'unknown', size, t };
    }
  }
}

function toCommitBody(body: unknown): CommitBody {
  const type = '#commit';
  const commit: CommitBody = {
    seq: seqOf(body, type),
    rebase: optional(body, 'rebase', type, isBoolean) ?? false,
    tooBig: optional(body, 'tooBig', type, isBoolean) ?? false,
    repo: field(body, 'repo', type, isString),
    commit: field(body, 'commit', type, isCid),
    rev: optional(body, 'rev', type, isString) ?? '',
    since: optional(body, 'since', type, isString) ?? null,
    blocks: field(body, 'blocks', type, isBytes),
    ops: arrayOf(field(body, 'ops', type, Array.isArray), 'ops', toRepoOp),
    blobs: arrayOf(optional(body, 'blobs', type, Array.isArray) ?? [], 'blobs', (cid) => {
      if (!isCid(cid)) throw new Error('#commit blobs must be CIDs');
      return cid;
    }),
    time: field(body, 'time', type, isString),
  };
  if (isMap(body) && 'prevData' in body) commit.prevData = optional(body, 'prevData', type, isCid) ?? null;
  return commit;
}

function toRepoOp(value: unknown): RepoOp {
  const type = 'repoOp';
  const op: RepoOp = {
    action: field(value, 'action', type, isString),
    path: field(value, 'path', type, isString),
    cid: optional(value, 'cid', type, isCid) ?? null,
  };
  if (isMap(value) && 'prev' in value) op.prev = optional(value, 'prev', type, isCid) ?? null;
  return op;
}

function arrayOf<T>(values: unknown[], name: string, convert: (value: unknown) => T): T[] {
  if (!Array.isArray(values)) throw new Error(`${name} must be an array`);
  return values.map(convert);
}

function seqOf(body: unknown, type: string): number {
  return field(body, 'seq', type, isSafeInteger);
}

/** A required field of the right type. */
function field<T>(body: unknown, name: string, type: string, check: Check<T>): T {
  if (!isMap(body)) throw new Error(`${type} body is not a map`);
  const value = body[name];
  if (value === undefined) throw new Error(`${type} body without ${name}`);
  if (!check(value)) throw new Error(`${type} ${name} has the wrong type`);
  return value;
}

/** An optional field: absent or null gives undefined, otherwise it must have the right type. */
function optional<T>(body: unknown, name: string, type: string, check: Check<T>): T | undefined {
  if (!isMap(body)) throw new Error(`${type} body is not a map`);
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!check(value)) throw new Error(`${type} ${name} has the wrong type`);
  return value;
}
