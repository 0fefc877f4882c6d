import { extractCommitRecords, type CommitWithRecords } from '@jetstream-ts/car';
import type {
  AccountEvent,
  CommitEvent,
  CommitOperation,
  DropReporter,
  FirehoseFrame,
  IdentityEvent,
  JetstreamEvent,
} from '@jetstream-ts/models';
import { cidToString } from './binary-text.js';
import { RecordConversionError } from './record-conversion-error.js';
import { recordToJson } from './record-to-json.js';
import { isRfc3339 } from './rfc3339.js';

/**
 * The v1 events of one relay frame (reference §2.2, §2.4, §2.5), with `time_us` 0 (the
 * sequencer sets it) and `relaySeq` the frame's seq:
 * - `#commit` → one `commit` event per op, in op order (see {@link commitToEvents}); the whole
 *   commit is dropped (and reported) when tooBig, when its `time` is not RFC 3339, or when its
 *   CAR is malformed (`extractCommitRecords`);
 * - `#identity` / `#account` → one event, dropped when `time` is not RFC 3339;
 * - `#sync`, `#info`, unknown and invalid frames → none (`decodeFrames` reports the last two);
 * - error frames → none, reported (stage `frame`, reason `relay-error`).
 *
 * @param frame A decoded frame.
 * @param drops Where dropped commits, ops and events are reported.
 * @return The events, possibly none.
 */
export function frameToEvents(frame: FirehoseFrame, drops?: DropReporter): JetstreamEvent[] {
  switch (frame.type) {
    case 'commit': {
      const { body } = frame;
      if (body.tooBig) {
        drops?.drop({ stage: 'commit', reason: 'too-big', seq: body.seq, did: body.repo });
        return [];
      }
      if (!hasValidTime(body, 'commit', drops, body.repo)) return [];
      const records = extractCommitRecords(body, drops);
      if (records === undefined) return [];
      return opEvents({ frame, records }, drops);
    }
    case 'identity': {
      const { body } = frame;
      if (!hasValidTime(body, 'identity', drops)) return [];
      const identity = body.handle === undefined
        ? { did: body.did, seq: body.seq, time: body.time }
        : { did: body.did, handle: body.handle, seq: body.seq, time: body.time };
      const event: IdentityEvent = { did: body.did, time_us: 0, relaySeq: body.seq, kind: 'identity', identity };
      return [event];
    }
    case 'account': {
      const { body } = frame;
      if (!hasValidTime(body, 'account', drops)) return [];
      const account = body.status === undefined
        ? { active: body.active, did: body.did, seq: body.seq, time: body.time }
        : { active: body.active, did: body.did, seq: body.seq, status: body.status, time: body.time };
      const event: AccountEvent = { did: body.did, time_us: 0, relaySeq: body.seq, kind: 'account', account };
      return [event];
    }
    case 'error':
      drops?.drop({ stage: 'frame', reason: 'relay-error', detail: frame.message === undefined ? frame.error : `${frame.error}: ${frame.message}` });
      return [];
    default:
      return [];
  }
}

/**
 * The `commit` events of a commit whose records were already taken from its CAR (by
 * `extractCommitRecords`). Per op, as v1 does, except that bad input is
 * dropped and reported (stage `op`) instead of crashing:
 * - `collection` is the path before the first `/`, `rkey` the segment after it (later segments
 *   dropped); a path without `/` → `bad-path` (v1 panics);
 * - create/update without a cid → `missing-cid`; without its record → skipped (the CAR stage
 *   reported it); a record v1 cannot convert → `bad-record` (detail: the reason);
 * - delete → an event without record and cid; any other action → `unknown-action`.
 * The whole commit is dropped (stage `commit`, `bad-time`) when its `time` is not RFC 3339.
 *
 * @param commit The commit frame and its op records.
 * @param drops Where drops are reported.
 * @return One event per op that was not dropped.
 */
export function commitToEvents(commit: CommitWithRecords, drops?: DropReporter): CommitEvent[] {
  const { body } = commit.frame;
  if (!hasValidTime(body, 'commit', drops, body.repo)) return [];
  return opEvents(commit, drops);
}

function opEvents({ frame, records }: CommitWithRecords, drops?: DropReporter): CommitEvent[] {
  const { body } = frame;
  const events: CommitEvent[] = [];
  const { ops, repo, rev, seq } = body;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const { path, action } = op;
    const slash = path.indexOf('/');
    if (slash < 0) {
      drops?.drop({ stage: 'op', reason: 'bad-path', detail: 'path without /', seq, did: repo, path });
      continue;
    }
    const collection = path.slice(0, slash);
    const rkeyEnd = path.indexOf('/', slash + 1);
    const rkey = rkeyEnd < 0 ? path.slice(slash + 1) : path.slice(slash + 1, rkeyEnd);
    if (action === 'delete') {
      events.push(commitEvent(repo, seq, { rev, operation: 'delete', collection, rkey }));
      continue;
    }
    if (action !== 'create' && action !== 'update') {
      drops?.drop({ stage: 'op', reason: 'unknown-action', detail: action, seq, did: repo, path });
      continue;
    }
    if (op.cid === null) {
      drops?.drop({ stage: 'op', reason: 'missing-cid', detail: `${action} op missing cid`, seq, did: repo, path });
      continue;
    }
    const block = records[i];
    if (block === undefined) continue;
    let record;
    try {
      record = recordToJson(block.bytes);
    } catch (error) {
      if (!(error instanceof RecordConversionError)) throw error;
      drops?.drop({ stage: 'op', reason: 'bad-record', detail: error.message, seq, did: repo, path });
      continue;
    }
    const operation: CommitOperation = action;
    events.push(commitEvent(repo, seq, { rev, operation, collection, rkey, record, cid: cidToString(block.cid) }));
  }
  return events;
}

function commitEvent(did: string, relaySeq: number, commit: CommitEvent['commit']): CommitEvent {
  return { did, time_us: 0, relaySeq, kind: 'commit', commit };
}

function hasValidTime(
  body: { time: string; seq: number; did?: string },
  stage: string,
  drops: DropReporter | undefined,
  did = body.did,
): boolean {
  if (isRfc3339(body.time)) return true;
  drops?.drop({ stage, reason: 'bad-time', detail: body.time, seq: body.seq, did });
  return false;
}
