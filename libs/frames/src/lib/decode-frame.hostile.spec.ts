/**
 * Hostile frames (issue 11): containers nested to exhaust a recursive reader's stack are
 * refused at `MAX_CBOR_NESTING`, as an invalid frame with its reason.
 */
import { MAX_CBOR_NESTING } from '@jetstream-ts/models';
import { cborInt, cborMap, cborText, concatBytes } from '@jetstream-ts/testkit';
import * as dagCbor from '@ipld/dag-cbor';
import { decodeFrame } from './decode-frame.js';

/** An `#identity` frame with an extra field `x` of `depth` nested one-item arrays around 0. */
function identityWithNesting(depth: number): Uint8Array {
  const nested = concatBytes([new Uint8Array(depth).fill(0x81), cborInt(0)]);
  const body = cborMap([
    ['did', cborText('did:plc:ewvi7nxzyoun6zhxrhs64oiz')],
    ['seq', cborInt(7)],
    ['time', cborText('2024-09-25T00:00:00.000Z')],
    ['x', nested],
  ]);
  return concatBytes([dagCbor.encode({ op: 1, t: '#identity' }), body]);
}

describe('decodeFrame on deeply nested input', () => {
  it(`skips an unknown field nested ${MAX_CBOR_NESTING} levels deep`, () => {
    expect(decodeFrame(identityWithNesting(MAX_CBOR_NESTING))).toMatchObject({ type: 'identity', body: { seq: 7 } });
  });

  it.each([MAX_CBOR_NESTING + 1, 1_000_000])('refuses one nested %i levels deep without recursing into it', (depth) => {
    const bytes = identityWithNesting(depth);
    expect(decodeFrame(bytes)).toEqual({ type: 'invalid', size: bytes.length, reason: `nested more than ${MAX_CBOR_NESTING} levels` });
  });
});
