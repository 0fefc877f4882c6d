import { fromUint8Array } from '@atcute/car';
import { decode, decodeFirst, type Bytes } from '@atcute/cbor';
import { toString as cidToString, type CidLink } from '@atcute/cid';
import { accountOrIdentityEvent, commitOpEvent } from './event-shape.js';

/**
 * The same job with the atcute libraries: `@atcute/cbor` splits and decodes the frame (its CID
 * and bytes wrappers serialise themselves as `{"$link"}` / `{"$bytes"}`), `@atcute/car` walks
 * the CAR into a map by CID string, each op's block is decoded to an object and the
 * Jetstream-shaped event goes through plain `JSON.stringify`. One JSON string per event.
 */
export function atcuteFrameToJson(frame: Uint8Array): string[] {
  const [header, rest] = decodeFirst(frame) as [{ op: number; t?: string }, Uint8Array];
  if (header.op !== 1) return [];
  const body = decode(rest) as Record<string, unknown>;
  if (header.t === '#commit') return atcuteCommitToJson(body as unknown as AtcuteCommit);
  const event = accountOrIdentityEvent(header.t, body);
  return event ? [JSON.stringify(event)] : [];
}

interface AtcuteCommit {
  repo: string;
  rev: string;
  tooBig: boolean;
  blocks: Bytes & { buf: Uint8Array };
  ops: { action: string; path: string; cid: CidLink | null }[];
}

function atcuteCommitToJson(commit: AtcuteCommit): string[] {
  if (commit.tooBig) return [];
  const blocks = new Map<string, Uint8Array>();
  for (const entry of fromUint8Array(commit.blocks.buf)) blocks.set(cidToString(entry.cid), entry.bytes);
  const events: string[] = [];
  for (const op of commit.ops) {
    if (op.action === 'delete') {
      events.push(JSON.stringify(commitOpEvent(commit, op)));
      continue;
    }
    const cid = op.cid?.$link;
    const bytes = cid === undefined ? undefined : blocks.get(cid);
    if (cid === undefined || !bytes) continue;
    events.push(JSON.stringify(commitOpEvent(commit, op, { record: decode(bytes), cid })));
  }
  return events;
}
