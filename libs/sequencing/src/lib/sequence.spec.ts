import { TestScheduler } from 'rxjs/testing';
import { lastValueFrom, map, of, toArray } from 'rxjs';
import type { JetstreamEvent } from '@jetstream-ts/models';
import { sequence, wallClockMicros } from './sequence.js';

const identity = (did: string): JetstreamEvent => ({
  did,
  time_us: 0,
  relaySeq: 1,
  kind: 'identity',
  identity: { did, seq: 1, time: '2024-01-01T00:00:00Z' },
});

describe('sequence', () => {
  it('numbers deterministically from after + 1 with a frozen clock', async () => {
    const events = await lastValueFrom(
      of(identity('did:a'), identity('did:b'), identity('did:c')).pipe(sequence({ after: 999, clock: () => 0 }), toArray()),
    );
    expect(events.map((e) => e.time_us)).toEqual([1000, 1001, 1002]);
  });

  it('follows the clock when it moves ahead and never goes back when it does not', async () => {
    const ticks = [5_000, 5_000, 4_000, 9_000, 9_001, 8_000];
    const clock = () => ticks.shift() ?? 0;
    const events = await lastValueFrom(
      of(...Array.from({ length: 6 }, (_, i) => identity(`did:${i}`))).pipe(sequence({ clock }), toArray()),
    );
    expect(events.map((e) => e.time_us)).toEqual([5_000, 5_001, 5_002, 9_000, 9_001, 9_002]);
  });

  it('continues above a stored head even when the clock is behind it (restart after a clock step back)', async () => {
    const events = await lastValueFrom(
      of(identity('did:a'), identity('did:b')).pipe(sequence({ after: 2_000_000, clock: () => 1_000_000 }), toArray()),
    );
    expect(events.map((e) => e.time_us)).toEqual([2_000_001, 2_000_002]);
  });

  it('keeps state per subscription', async () => {
    const numbered = of(identity('did:a'), identity('did:b')).pipe(sequence({ after: 9, clock: () => 0 }));
    expect((await lastValueFrom(numbered.pipe(toArray()))).map((e) => e.time_us)).toEqual([10, 11]);
    expect((await lastValueFrom(numbered.pipe(toArray()))).map((e) => e.time_us)).toEqual([10, 11]);
  });

  it('passes events through as they arrive, without delaying them', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      const source = cold('a-b--c|', { a: identity('did:a'), b: identity('did:b'), c: identity('did:c') });
      const stamped = source.pipe(sequence({ after: 0, clock: () => 0 }));
      expectObservable(stamped.pipe(map((e) => e.time_us))).toBe('1-2--3|', { 1: 1, 2: 2, 3: 3 });
    });
  });

  it('reads the wall clock in microseconds', () => {
    const micros = wallClockMicros();
    expect(Math.abs(micros - Date.now() * 1000)).toBeLessThan(5_000_000);
  });
});

