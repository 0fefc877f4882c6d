import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';

/** When a subscriber counts as too slow to keep (Jetstream v2's adversarial-slow rule). */
export interface SlowReaderPolicy {
  /** Events between the reader's position and the head above which it is "behind". */
  maxEventsBehind: number;
  /** A reader behind for a whole window must have read at least this many events per second. */
  minEventsPerSecond: number;
  /** How long a reader may stay behind and slow, in ms. */
  windowMs: number;
}

/** Defaults as Jetstream v2: 100,000 events behind and under 5 events/s for 60 s. */
export const DEFAULT_SLOW_READER_POLICY: SlowReaderPolicy = {
  maxEventsBehind: 100_000,
  minEventsPerSecond: 5,
  windowMs: 60_000,
};

/** One look at a reader: how far behind the head, and how many events it has read so far. */
export interface ReaderProgress {
  eventsBehind: number;
  /** Events read from the log since the start, filtered out or sent (a running total). */
  eventsRead: number;
}

/** Why a reader was judged too slow. */
export interface SlowReaderVerdict {
  eventsBehind: number;
  eventsPerSecond: number;
  forMs: number;
}

/**
 * Watches samples of a reader's progress and emits one verdict, then completes, when the
 * reader has stayed more than `maxEventsBehind` behind the head for `windowMs` while reading
 * fewer than `minEventsPerSecond`.
 *
 * A reader that is behind but reading fast (a replay catching up, even a long one) is never
 * judged slow: each window in which it read enough starts a new window. Coming within
 * `maxEventsBehind` of the head resets everything. Time is the scheduler's, read when each
 * sample arrives.
 *
 * @example
 * import { DEFAULT_SLOW_READER_POLICY, detectSlowReader } from '@jetstream-ts/subscribers';
 * import { interval, map } from 'rxjs';
 *
 * // session: a SubscriberSession
 * interval(1000)
 *   .pipe(map(() => session.progress()), detectSlowReader(DEFAULT_SLOW_READER_POLICY))
 *   .subscribe((verdict) => session.close(1008, `too slow: ${verdict.eventsBehind} behind`, 'slow'));
 *
 * @param policy The thresholds.
 * @param scheduler The clock; defaults to `asyncScheduler`.
 * @return An operator from progress samples to at most one verdict.
 */
export function detectSlowReader(
  policy: SlowReaderPolicy,
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<ReaderProgress, SlowReaderVerdict> {
  return (source) =>
    new Observable<SlowReaderVerdict>((destination) => {
      // The window in progress: when the reader was first seen behind, and what it had read then.
      let window: { sinceMs: number; eventsRead: number } | null = null;
      return source.subscribe({
        next: (progress) => {
          const now = scheduler.now();
          if (progress.eventsBehind <= policy.maxEventsBehind) {
            window = null;
            return;
          }
          if (window === null) {
            window = { sinceMs: now, eventsRead: progress.eventsRead };
            return;
          }
          const forMs = now - window.sinceMs;
          if (forMs < policy.windowMs) return;
          const eventsPerSecond = ((progress.eventsRead - window.eventsRead) * 1000) / forMs;
          if (eventsPerSecond >= policy.minEventsPerSecond) {
            window = { sinceMs: now, eventsRead: progress.eventsRead };
            return;
          }
          destination.next({ eventsBehind: progress.eventsBehind, eventsPerSecond, forMs });
          destination.complete();
        },
        error: (error: unknown) => destination.error(error),
        complete: () => destination.complete(),
      });
    });
}
