import { asyncScheduler, exhaustMap, interval, type Observable, type SchedulerLike } from 'rxjs';
import type { EventStore } from './event-store.js';

export interface ExpireEventsOptions {
  /** Events older than this are deleted (`--event-ttl`; v1 default 24 h). */
  ttlMs: number;
  /** How often to trim. Default 15 s (v1 trims on each liveness tick). */
  intervalMs?: number;
  /** Current time in Unix microseconds, the unit of `time_us`. Default: the wall clock. */
  clock?: () => number;
  scheduler?: SchedulerLike;
}

/**
 * Applies the retention window: every `intervalMs`, deletes the events with
 * `time_us < clock() - ttl` and emits how many went. A trim still running when the next tick
 * comes makes that tick skip, so trims never overlap.
 *
 * @example
 * import { expireEvents } from '@jetstream-ts/cursor-buffer';
 *
 * // log: a CursorBuffer; logger: a pino logger
 * const retention = expireEvents(log, { ttlMs: 24 * 3600_000 }).subscribe((deleted) => logger.debug({ deleted }, 'trimmed'));
 * // on shutdown: retention.unsubscribe();
 *
 * @param log The log (or store) to trim.
 * @param options TTL, cadence and clock.
 * @return An Observable of the number of events deleted by each trim; it never completes.
 */
export function expireEvents(log: Pick<EventStore, 'trimOlderThan'>, options: ExpireEventsOptions): Observable<number> {
  const { ttlMs, intervalMs = 15_000, clock = () => Date.now() * 1000, scheduler = asyncScheduler } = options;
  return interval(intervalMs, scheduler).pipe(exhaustMap(() => log.trimOlderThan(clock() - ttlMs * 1000)));
}
