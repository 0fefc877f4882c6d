/**
 * Hostile frames (issue 11): containers nested to exhaust a recursive reader's stack are
 * refused at `MAX_CBOR_NESTING`, as an invalid frame with its reason.
 */
import { MAX_CBOR_NESTING } from '@jetstream-ts/models';
import { cborInt, cborMap, cborText, concatBytes } from '@jetstream-ts/testkit';
import * as dagCbor from '@ipld/dag-cbor';
import { decodeFrame } from './decode-frame.js';

/** An `#identity` frame of did:plc:ewvi7nxzyoun6zhxrhs64oiz with this seq (any CBOR integer). */
function identityWithSeq(seq: Uint8Array): Uint8Array {
  const body = cborMap([
    ['did', cborText('did:plc:ewvi7nxzyoun6zhxrhs64oiz')],
    ['seq', seq],
    ['time', cborText('2024-09-25T00:00:00.000Z')],
  ]);
  return concatBytes([dagCbor.encode({ op: 1, t: '#identity' }), body]);
}

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

describe('decodeFrame on a seq no relay sends', () => {
  it('refuses a negative seq: cursors and the stored relay cursor count on seq >= 0', () => {
    // 0x24: CBOR negative integer -5.
    const bytes = identityWithSeq(Uint8Array.of(0x24));
    expect(decodeFrame(bytes)).toEqual({ type: 'invalid', size: bytes.length, reason: 'negative seq -5' });
  });

  it('refuses a seq past 2^53 (0x1b: a 64-bit argument), and reads 0', () => {
    const bytes = identityWithSeq(Uint8Array.of(0x1b, 0x00, 0x40, 0, 0, 0, 0, 0, 0));
    expect(decodeFrame(bytes)).toEqual({ type: 'invalid', size: bytes.length, reason: 'integer beyond 2^53' });
    expect(decodeFrame(identityWithSeq(Uint8Array.of(0x00)))).toMatchObject({ type: 'identity', body: { seq: 0 } });
  });

  it('gives an unknown message type no seq when its seq is negative', () => {
    const body = cborMap([['seq', Uint8Array.of(0x24)]]);
    const bytes = concatBytes([dagCbor.encode({ op: 1, t: '#future' }), body]);
    expect(decodeFrame(bytes)).toEqual({ type: 'unknown', size: bytes.length, t: '#future' });
  });
});
