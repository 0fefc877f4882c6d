import { CarReader } from '@ipld/car';
import * as dagCbor from '@ipld/dag-cbor';
import { decodeFirst } from 'cborg';
import { CID } from 'multiformats/cid';
import { accountOrIdentityEvent, commitOpEvent } from './event-shape.js';

/**
 * The pipeline a Node developer writes first with the IPLD libraries: split the frame with
 * cborg's `decodeFirst` and the DAG-CBOR options, open the CAR with `CarReader.fromBytes`, decode
 * each op's block with `@ipld/dag-cbor` and `JSON.stringify` a Jetstream-shaped event, with a
 * replacer for CIDs and bytes. Returns one JSON string per event (commit op, identity, account).
 */
export async function naiveFrameToJson(frame: Uint8Array): Promise<string[]> {
  const [header, rest] = decodeFirst(frame, dagCbor.decodeOptions) as [
    { op: number; t?: string },
    Uint8Array,
  ];
  if (header.op !== 1) return [];
  const [body] = decodeFirst(rest, dagCbor.decodeOptions) as [Record<string, unknown>, Uint8Array];
  if (header.t === '#commit') return naiveCommitToJson(body as unknown as NaiveCommit);
  const event = accountOrIdentityEvent(header.t, body);
  return event ? [stringifyIpld(event)] : [];
}

interface NaiveCommit {
  repo: string;
  rev: string;
  tooBig: boolean;
  blocks: Uint8Array;
  ops: { action: string; path: string; cid: CID | null }[];
}

async function naiveCommitToJson(commit: NaiveCommit): Promise<string[]> {
  if (commit.tooBig) return [];
  const car = await CarReader.fromBytes(commit.blocks);
  const events: string[] = [];
  for (const op of commit.ops) {
    if (op.action === 'delete') {
      events.push(stringifyIpld(commitOpEvent(commit, op)));
      continue;
    }
    const block = op.cid ? await car.get(op.cid) : undefined;
    if (!op.cid || !block) continue;
    const record = dagCbor.decode(block.bytes);
    events.push(stringifyIpld(commitOpEvent(commit, op, { record, cid: op.cid.toString() })));
  }
  return events;
}

/** `JSON.stringify` with the usual replacer: CIDs become `{"$link"}`, bytes `{"$bytes"}`. */
function stringifyIpld(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, replaced: unknown) {
    // The replacer sees the result of `toJSON`, so look at the original value on the holder.
    const original = this[key];
    const cid = CID.asCID(original);
    if (cid) return { $link: cid.toString() };
    if (original instanceof Uint8Array) {
      return { $bytes: Buffer.from(original).toString('base64').replace(/=+$/, '') };
    }
    return replaced;
  });
}
