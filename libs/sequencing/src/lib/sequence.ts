import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { JetstreamEvent } from '@jetstream-ts/models';

export interface SequenceOptions {
  /** The last `time_us` already used (the store's head after a restart); numbering continues above it. */
  after?: number;
  /** Current time in Unix microseconds. Defaults to the wall clock. */
  clock?: () => number;
}

/** Wall-clock Unix microseconds (millisecond resolution, sub-millisecond from the monotonic clock). */
export function wallClockMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/**
 * Assigns each event its `time_us`: the clock's current Unix microseconds, or one more than the
 * previous value when the clock has not moved past it, so values are unique and strictly
 * increasing, also across restarts when `after` is the last value stored.
 *
 * The event is updated in place (it is owned by the pipeline at this stage) and passed on.
 *
 * @example
 * import { sequence } from '@jetstream-ts/sequencing';
 *
 * // events$: an Observable<JetstreamEvent>. Deterministic numbering from 1000: 1000, 1001, 1002, ...
 * events$.pipe(sequence({ after: 999, clock: () => 0 }));
 *
 * @example
 * import { sequence } from '@jetstream-ts/sequencing';
 *
 * // store: an EventLog. The server: continue above the newest stored event.
 * events$.pipe(sequence({ after: store.headTimeUs() }));
 *
 * @param options `after`: the last value already used; `clock`: Unix µs now.
 * @return An operator that stamps `time_us` on every event.
 */
export function sequence(options: SequenceOptions = {}): MonoTypeOperatorFunction<JetstreamEvent> {
  const clock = options.clock ?? wallClockMicros;
  return (source) =>
    new Observable<JetstreamEvent>((destination) => {
      // Per subscription, like RxJS operator state: two subscriptions never share a counter.
      let last = options.after ?? 0;
      return source.subscribe({
        next: (event) => {
          const now = clock();
          last = now > last ? now : last + 1;
          event.time_us = last;
          destination.next(event);
        },
        error: (error) => destination.error(error),
        complete: () => destination.complete(),
      });
    });
}
