import { join } from 'node:path';
import { openLmdbEventStore } from '@jetstream-ts/cursor-buffer';

/** What a server's store holds against the relay log: lost, duplicated and out-of-order events up to its cursor. */
export interface StoreAudit {
  relayCursor: number | undefined;
  events: number;
  /** Seqs up to the cursor with fewer events than the frame gives. */
  lost: number;
  /** Seqs with more. */
  duplicated: number;
  /** Events whose relay seq goes back, or whose time_us does not increase. */
  reordered: number;
}

/**
 * Reads the store in `dataDir` (the server must be stopped) and compares it with the events each
 * relay seq gives: every frame up to the stored cursor exactly once, in relay order, `time_us`
 * strictly increasing. `skipped` seqs (frames lost on purpose) are expected to give nothing.
 */
export async function auditStore(dataDir: string, eventsOfSeq: ReadonlyMap<number, number>, skipped: ReadonlySet<number> = new Set()): Promise<StoreAudit> {
  const store = openLmdbEventStore({ path: join(dataDir, 'events') });
  try {
    const events = store.readFrom(0, Number.MAX_SAFE_INTEGER);
    const relayCursor = store.relayCursor();
    const stored = new Map<number, number>();
    let reordered = 0;
    events.forEach((event, i) => {
      stored.set(event.relaySeq, (stored.get(event.relaySeq) ?? 0) + 1);
      const previous = events[i - 1];
      if (previous && (event.relaySeq < previous.relaySeq || event.time_us <= previous.time_us)) reordered++;
    });
    let lost = 0;
    let duplicated = 0;
    for (const [seq, expected] of eventsOfSeq) {
      if (relayCursor === undefined || seq > relayCursor) break;
      const want = skipped.has(seq) ? 0 : expected;
      const got = stored.get(seq) ?? 0;
      if (got < want) lost++;
      if (got > want) duplicated++;
    }
    return { relayCursor, events: events.length, lost, duplicated, reordered };
  } finally {
    await store.close();
  }
}
