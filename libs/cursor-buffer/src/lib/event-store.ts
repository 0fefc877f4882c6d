import type { LoggedEvent } from '@jetstream-ts/models';

/**
 * Durable storage of the sequenced event log, ordered by `time_us`, together with the relay
 * cursor that produced it. Backends implement this (lmdb is the embedded default); the
 * {@link CursorBuffer} adds the in-memory live tail and the `appended` signal on top.
 */
export interface EventStore {
  /**
   * Commits `events` and `relayCursor` in ONE transaction: after a crash the store holds either
   * both or neither. `time_us` must be strictly increasing within the batch and above
   * {@link headTimeUs}; otherwise it rejects with a `RangeError` and writes nothing. An empty
   * `events` commits the cursor alone. Resolves once committed (visible to readers, and kept
   * if the process dies).
   */
  append(events: readonly LoggedEvent[], relayCursor: number): Promise<void>;
  /** The relay cursor of the last committed append; undefined when nothing was ever appended. */
  relayCursor(): number | undefined;
  /** Up to `limit` events with `time_us >= fromTimeUs`, oldest first. */
  readFrom(fromTimeUs: number, limit: number): readonly LoggedEvent[];
  /** `time_us` of the newest event ever committed (kept after trimming); 0 when none. */
  headTimeUs(): number;
  /** `time_us` of the oldest retained event; 0 when the store holds none. */
  oldestTimeUs(): number;
  /** Deletes every event with `time_us < timeUs`; resolves to how many were deleted. */
  trimOlderThan(timeUs: number): Promise<number>;
  close(): Promise<void>;
}

/** Throws unless `events` continue strictly increasing above `headTimeUs`. */
export function assertAppendable(events: readonly LoggedEvent[], headTimeUs: number): void {
  let previous = headTimeUs;
  for (const event of events) {
    if (!Number.isSafeInteger(event.time_us) || event.time_us <= previous) {
      throw new RangeError(`time_us ${event.time_us} does not follow ${previous}: appends must be strictly increasing`);
    }
    previous = event.time_us;
  }
}
