import type { DropReport } from '@jetstream-ts/models';
import { buildFrame } from '@jetstream-ts/testkit';
import { from, lastValueFrom, toArray } from 'rxjs';
import { decodeFrames } from './decode-frames.js';

describe('decodeFrames', () => {
  it('passes every frame on, reporting invalid and unknown ones', async () => {
    const reports: DropReport[] = [];
    const messages = [
      buildFrame({ op: 1, t: '#identity' }, { seq: 1, did: 'did:plc:a', time: '2024-01-01T00:00:00Z' }),
      new Uint8Array([0xff]),
      buildFrame({ op: 1, t: '#labels' }, { seq: 2, labels: [] }),
      buildFrame({ op: -1 }, { error: 'FutureCursor' }),
    ];
    const frames = await lastValueFrom(
      from(messages).pipe(decodeFrames({ drops: { drop: (report) => reports.push(report) } }), toArray()),
    );
    expect(frames.map((frame) => frame.type)).toEqual(['identity', 'invalid', 'unknown', 'error']);
    expect(reports).toEqual([
      { stage: 'frame', reason: 'invalid-frame', detail: expect.any(String) },
      { stage: 'frame', reason: 'unknown-type', detail: '#labels', seq: 2 },
    ]);
  });

  it('works without a drop reporter', async () => {
    const frames = await lastValueFrom(from([new Uint8Array([1, 2])]).pipe(decodeFrames(), toArray()));
    expect(frames).toEqual([{ type: 'invalid', size: 2, reason: expect.any(String) }]);
  });
});
