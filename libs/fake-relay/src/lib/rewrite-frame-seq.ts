import * as dagCbor from '@ipld/dag-cbor';
import { decodeFirst } from 'cborg';
import { buildFrame } from '@jetstream-ts/testkit';
import type { FrameHeader } from '@jetstream-ts/models';

/**
 * Returns a copy of a `subscribeRepos` frame whose body `seq` is `seq`. Every other header and
 * body field is kept as decoded (the body is decoded generically, not through the typed frame
 * decoder, so fields this project does not model survive). Throws when the frame is not two
 * DAG-CBOR values or its body is not a map: callers only rewrite frames that carry a seq.
 */
export function rewriteFrameSeq(frame: Uint8Array, seq: number): Uint8Array {
  const [header, rest] = decodeFirst(frame, dagCbor.decodeOptions) as [FrameHeader, Uint8Array];
  const body: unknown = dagCbor.decode(rest);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TypeError('frame body is not a map');
  }
  return buildFrame(header, { ...body, seq });
}
