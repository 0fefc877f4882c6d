import { concatMap, map, from, type MonoTypeOperatorFunction } from 'rxjs';
import type { AppendBatch } from '@jetstream-ts/models';
import type { EventStore } from './event-store.js';

/**
 * Commits each batch to the log (events and relay cursor in one transaction), one at a time,
 * in order, and emits the batch once it is committed.
 *
 * While a batch commits, the next one keeps filling upstream (`bufferAppends`), so a slow disk
 * makes batches bigger instead of queueing many small commits. A failed commit errors the
 * stream: the store is unusable, and ingesting on without it would lose events.
 *
 * @example
 * events$.pipe(bufferAppends(), appendBatches(log)).subscribe((batch) => saveProgress(batch.relayCursor));
 *
 * @see bufferAppends
 * @param log Where to append: a `CursorBuffer` (which also feeds live readers) or a bare store.
 * @return A function that returns an Observable of the committed batches.
 */
export function appendBatches(log: Pick<EventStore, 'append'>): MonoTypeOperatorFunction<AppendBatch> {
  return concatMap((batch) => from(log.append(batch.events, batch.relayCursor)).pipe(map(() => batch)));
}
