import { decodeFrame } from '@jetstream-ts/frames';
import { frameSeq } from '@jetstream-ts/models';
import { RelayTimeline } from './relay-timeline.js';
import { errorFrame } from './relay-faults.js';
import { identityFrame } from './relay-client.test-util.js';

const seqsOf = (timeline: RelayTimeline) =>
  Array.from({ length: timeline.length }, (_, index) => frameSeq(decodeFrame(timeline.frameAt(index))));

describe('RelayTimeline', () => {
  it('serves the frames once, unchanged, by default', () => {
    const frames = [identityFrame(10), identityFrame(11), identityFrame(13)];
    const timeline = new RelayTimeline(frames);
    expect(timeline.length).toBe(3);
    expect(timeline.frameAt(2)).toBe(frames[2]);
    expect(timeline.firstSeq).toBe(10);
    expect(timeline.lastSeq).toBe(13);
  });

  it('gives each loop pass new seqs that continue the sequence, in the header-and-body bytes', () => {
    const timeline = new RelayTimeline([identityFrame(10), identityFrame(11), identityFrame(13)], 3);
    // span = 13 - 10 + 1 = 4
    expect(seqsOf(timeline)).toEqual([10, 11, 13, 14, 15, 17, 18, 19, 21]);
    expect(timeline.seqAt(8)).toBe(21);
    expect(timeline.lastSeq).toBe(21);
    const rewritten = decodeFrame(timeline.frameAt(4));
    expect(rewritten).toMatchObject({ type: 'identity', body: { seq: 15, did: 'did:plc:user11' } });
  });

  it('starts a cursor after the frames with seq <= cursor, across passes', () => {
    const timeline = new RelayTimeline([identityFrame(10), identityFrame(11), identityFrame(13)], 2);
    expect(timeline.indexAfter(0)).toBe(0);
    expect(timeline.indexAfter(10)).toBe(1);
    expect(timeline.indexAfter(12)).toBe(2);
    expect(timeline.indexAfter(14)).toBe(4);
    expect(timeline.indexAfter(17)).toBe(6);
    expect(timeline.indexAfter(99)).toBe(6);
  });

  it('keeps a frame without seq with the frame before it and never rewrites it', () => {
    const error = errorFrame('ConsumerTooSlow');
    const timeline = new RelayTimeline([identityFrame(1), error, identityFrame(2)], 2);
    expect(timeline.indexAfter(1)).toBe(2);
    expect(timeline.frameAt(4)).toBe(error);
    expect(timeline.seqAt(4)).toBeUndefined();
  });

  it('serves appended frames after the loop and wakes waiters', async () => {
    const timeline = new RelayTimeline([identityFrame(1)], 2);
    const waiting = timeline.waitForMore(2, new AbortController().signal);
    timeline.append([identityFrame(50)]);
    await waiting;
    expect(seqsOf(timeline)).toEqual([1, 2, 50]);
  });

  it('stops waiting when aborted', async () => {
    const timeline = new RelayTimeline([]);
    const abort = new AbortController();
    const waiting = timeline.waitForMore(0, abort.signal);
    abort.abort();
    await expect(waiting).resolves.toBeUndefined();
    expect(timeline.lastSeq).toBeUndefined();
  });

  it('rejects a loop count that is not a positive integer', () => {
    expect(() => new RelayTimeline([], 0)).toThrow(RangeError);
    expect(() => new RelayTimeline([], 1.5)).toThrow(RangeError);
  });
});
