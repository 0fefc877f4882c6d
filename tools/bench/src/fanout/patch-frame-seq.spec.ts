import { decodeFrame } from '@jetstream-ts/frames';
import { buildFrame } from '@jetstream-ts/testkit';
import { frameSeq } from '@jetstream-ts/models';
import { synthesizeFrames } from '@jetstream-ts/synthetic-firehose';
import { patchFrameSeq } from './patch-frame-seq.js';

describe('patchFrameSeq', () => {
  it('changes the seq of every kind of synthetic frame and nothing else', () => {
    const frames = [...synthesizeFrames({ frames: 300, seed: 'patch' })];
    const kinds = new Set<string>();
    frames.forEach((frame, index) => {
      const seq = 9_000_000_000 + index * 7;
      const patched = patchFrameSeq(frame, seq) ?? new Uint8Array();
      const decoded = decodeFrame(patched);
      kinds.add(decoded.type);
      expect(frameSeq(decoded)).toBe(seq);
      const original = decodeFrame(frame);
      expect({ ...decoded, body: { ...(decoded as { body: object }).body, seq: 0 } }).toEqual({
        ...original,
        body: { ...(original as { body: object }).body, seq: 0 },
      });
      expect(frame).toEqual(frames[index]); // the input is left alone
    });
    expect([...kinds].sort()).toEqual(['account', 'commit', 'identity']);
  });

  it('leaves frames alone whose seq is not a 64-bit integer', () => {
    const small = buildFrame(
      { op: 1, t: '#identity' },
      { did: 'did:plc:a', seq: 5, time: '2026-07-01T12:00:00.000Z' },
    );
    expect(patchFrameSeq(small, 2 ** 33)).toBeUndefined();
    const large = buildFrame(
      { op: 1, t: '#identity' },
      { did: 'did:plc:a', seq: 2 ** 33, time: '2026-07-01T12:00:00.000Z' },
    );
    expect(patchFrameSeq(large, 5)).toBeUndefined();
  });
});
