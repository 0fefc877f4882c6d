import type { LoggedEvent } from '@jetstream-ts/models';
import { assertAppendable, type EventStore } from './event-store.js';
import { firstAtOrAfter } from './first-at-or-after.js';

/**
 * An {@link EventStore} in memory, with the same contract as the lmdb one but no durability:
 * for tests and for pipelines that need no replay across restarts.
 *
 * @example
 * import { CursorBuffer, createMemoryEventStore } from '@jetstream-ts/cursor-buffer';
 *
 * const log = new CursorBuffer(createMemoryEventStore());
 */
export function createMemoryEventStore(): EventStore {
  let events: LoggedEvent[] = [];
  let relayCursor: number | undefined;
  let headTimeUs = 0;
  const firstIndexAtOrAfter = (timeUs: number) => firstAtOrAfter(events.length, (index) => events[index].time_us, timeUs);

  return {
    async append(batch, cursor) {
      assertAppendable(batch, headTimeUs);
      events.push(...batch);
      relayCursor = cursor;
      if (batch.length > 0) headTimeUs = batch[batch.length - 1].time_us;
    },
    relayCursor: () => relayCursor,
    readFrom(fromTimeUs, limit) {
      const start = firstIndexAtOrAfter(fromTimeUs);
      return events.slice(start, start + Math.max(0, limit));
    },
    headTimeUs: () => headTimeUs,
    oldestTimeUs: () => events[0]?.time_us ?? 0,
    async trimOlderThan(timeUs) {
      const count = firstIndexAtOrAfter(timeUs);
      events = events.slice(count);
      return count;
    },
    async close() {
      events = [];
    },
  };
}
