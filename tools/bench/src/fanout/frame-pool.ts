import { decodeFrame } from '@jetstream-ts/frames';
import { frameToEvents } from '@jetstream-ts/mapping';
import type { JetstreamEvent } from '@jetstream-ts/models';
import { synthesizeFrames } from '@jetstream-ts/synthetic-firehose';
import { eventKey, type LedgerEvent } from './delivery-ledger.js';
import { patchFrameSeq } from './patch-frame-seq.js';

/** The synthetic firehose's first seq: frame `n` of a run is sent with seq `FIRST_SEQ + n`. */
export const FIRST_SEQ = 7_000_000_000;

/** An event of a pool frame, with what a subscriber filter and the ledger need. */
export type PoolEvent = Omit<LedgerEvent, 'frame'>;

/**
 * Realistic relay frames made once and played in a loop: synthesizing costs about a
 * millisecond per frame, far too slow to make a run's frames live. Frame `n` of the run is
 * pool frame `n mod size`, sent with seq `FIRST_SEQ + n` (patched in place), so the server sees
 * an ever-increasing seq and events whose keys repeat only once per pool period.
 */
export class FramePool {
  /** Per pool frame, the events it maps to, in order. */
  readonly eventsOfFrame: readonly (readonly PoolEvent[])[];

  constructor(
    readonly frames: readonly Uint8Array[],
    /** Per pool frame, the mapped events (with `time_us` 0), for writing a store. */
    readonly jetstreamEvents: readonly (readonly JetstreamEvent[])[] = frames.map((frame) =>
      frameToEvents(decodeFrame(frame)),
    ),
  ) {
    this.eventsOfFrame = this.jetstreamEvents.map((events) =>
      events.map((event) => ({
        key: eventKey(event),
        did: event.did,
        kind: event.kind,
        collection: event.kind === 'commit' ? event.commit.collection : '',
      })),
    );
  }

  /** `count` synthetic frames from a fixed seed. */
  static synthesize(count: number): FramePool {
    return new FramePool([...synthesizeFrames({ frames: count, seed: 'bench', firstSeq: FIRST_SEQ })]);
  }

  get size(): number {
    return this.frames.length;
  }

  /** The bytes of run frame `n`. */
  frame(n: number): Uint8Array {
    const frame = this.frames[n % this.frames.length];
    return patchFrameSeq(frame, FIRST_SEQ + n) ?? frame;
  }

  /** DIDs by how many events they have in the pool, busiest first. */
  didsByActivity(): string[] {
    const counts = new Map<string, number>();
    for (const events of this.eventsOfFrame)
      for (const { did } of events) counts.set(did, (counts.get(did) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1]).map(([did]) => did);
  }
}

/**
 * The events of run frames `start .. start + count - 1` of a pool (given as its events per
 * frame), in server order, with `frame` counted from `start`.
 */
export function stepEvents(
  eventsOfFrame: readonly (readonly PoolEvent[])[],
  start: number,
  count: number,
): LedgerEvent[] {
  const events: LedgerEvent[] = [];
  for (let frame = 0; frame < count; frame++) {
    for (const event of eventsOfFrame[(start + frame) % eventsOfFrame.length])
      events.push({ ...event, frame });
  }
  return events;
}
