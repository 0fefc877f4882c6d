import * as dagCbor from '@ipld/dag-cbor';
import type { FrameHeader } from '@jetstream-ts/models';

/**
 * Encodes a `subscribeRepos` frame: the DAG-CBOR header followed by the DAG-CBOR body. Bodies
 * hold IPLD values: `Uint8Array` for bytes, multiformats `CID` for links.
 *
 * @example
 * const bytes = encodeFrame({ op: 1, t: '#identity' }, { seq: 1, did: 'did:plc:x', time: '2024-01-01T00:00:00Z' });
 * @param header `{ op: 1, t: '#commit' }` for messages, `{ op: -1 }` for errors.
 * @param body The message body.
 * @return The frame bytes, canonical DAG-CBOR.
 */
export function encodeFrame(header: FrameHeader, body: unknown): Uint8Array {
  const headerBytes = dagCbor.encode(header);
  const bodyBytes = dagCbor.encode(body);
  const frame = new Uint8Array(headerBytes.length + bodyBytes.length);
  frame.set(headerBytes, 0);
  frame.set(bodyBytes, headerBytes.length);
  return frame;
}
