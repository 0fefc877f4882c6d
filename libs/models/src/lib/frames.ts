import type { CID } from 'multiformats/cid';

/** The header that starts every `subscribeRepos` frame: `op` 1 is a message, -1 an error. */
export interface FrameHeader {
  op: number;
  t?: string;
}

/** One repository operation inside a `#commit`. */
export interface RepoOp {
  action: string;
  /** `<collection>/<rkey>`, as the relay sent it (not validated). */
  path: string;
  /** CID of the new record for create/update; null for delete. */
  cid: CID | null;
  /** CID of the previous record (sync 1.1), when the relay sends it. */
  prev?: CID | null;
}

export interface CommitBody {
  seq: number;
  rebase: boolean;
  tooBig: boolean;
  repo: string;
  commit: CID;
  rev: string;
  since: string | null;
  /** A CAR (v1) holding the signed commit, the MST nodes on the changed paths and new records. */
  blocks: Uint8Array;
  ops: RepoOp[];
  blobs: CID[];
  prevData?: CID | null;
  time: string;
}

export interface IdentityBody {
  seq: number;
  did: string;
  time: string;
  handle?: string;
}

export interface AccountBody {
  seq: number;
  did: string;
  time: string;
  active: boolean;
  status?: string;
}

export interface SyncBody {
  seq: number;
  did: string;
  blocks: Uint8Array;
  rev: string;
  time: string;
}

export interface InfoBody {
  name: string;
  message?: string;
}

/**
 * A decoded `subscribeRepos` frame. `error` frames (op -1) and frames that could not be decoded
 * are values too, so one bad frame never ends a stream. `size` is the frame's length in bytes.
 */
export type FirehoseFrame =
  | { type: 'commit'; size: number; body: CommitBody }
  | { type: 'identity'; size: number; body: IdentityBody }
  | { type: 'account'; size: number; body: AccountBody }
  | { type: 'sync'; size: number; body: SyncBody }
  | { type: 'info'; size: number; body: InfoBody }
  | { type: 'error'; size: number; error: string; message?: string }
  | { type: 'unknown'; size: number; t: string; seq?: number }
  | { type: 'invalid'; size: number; reason: string };

export type FirehoseFrameType = FirehoseFrame['type'];

/** Frames that carry a relay `seq` (and so advance the relay cursor). */
export type SequencedFrame = Extract<FirehoseFrame, { body: { seq: number } }>;

/** The relay `seq` of a frame, or undefined when the frame carries none. */
export function frameSeq(frame: FirehoseFrame): number | undefined {
  if ('body' in frame && 'seq' in frame.body) return frame.body.seq;
  if (frame.type === 'unknown') return frame.seq;
  return undefined;
}
