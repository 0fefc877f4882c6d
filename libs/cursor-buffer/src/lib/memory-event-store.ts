import type { LoggedEvent } from '@jetstream-ts/models';
import { assertAppendable, type EventStore } from './event-store.js';

/**
 * An {@link EventStore} in memory, with the same contract as the lmdb one but no durability:
 * for tests and for pipelines that need no replay across restarts.
 *
 * @example
 * const log = new CursorBuffer(createMemoryEventStore());
 */
export function createMemoryEventStore(): EventStore {
  let events: LoggedEvent[] = [];
  let relayCursor: number | undefined;
  let headTimeUs = 0;

  /** Index of the first event with `time_us >= timeUs` (binary search). */
  const firstAtOrAfter = (timeUs: number): number => {
    let low = 0;
    let high = events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (events[middle].time_us < timeUs) low = middle + 1;
      else high = middle;
    }
    return low;
  };

  return {
    async append(batch, cursor) {
      assertAppendable(batch, headTimeUs);
      events.push(...batch);
      relayCursor = cursor;
      if (batch.length > 0) headTimeUs = batch[batch.length - 1].time_us;
    },
    relayCursor: () => relayCursor,
    readFrom(fromTimeUs, limit) {
      const start = firstAtOrAfter(fromTimeUs);
      return events.slice(start, start + Math.max(0, limit));
    },
    headTimeUs: () => headTimeUs,
    oldestTimeUs: () => events[0]?.time_us ?? 0,
    async trimOlderThan(timeUs) {
      const count = firstAtOrAfter(timeUs);
      events = events.slice(count);
      return count;
    },
    async close() {
      events = [];
    },
  };
}
