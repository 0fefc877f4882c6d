import { tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { JetstreamMetrics } from './create-metrics.js';

/** What `commitFrames` emits: the committed events (structural, to keep this lib below the store). */
export interface CommittedBatch {
  readonly events: readonly { readonly json: Uint8Array }[];
}

/**
 * Counts committed batches, passing them through. A commit both persists the events and makes
 * them visible to subscribers, so it counts `consumer_events_persisted_total`,
 * `consumer_events_emitted_total`, `jetstream_events_emitted_total` and
 * `jetstream_bytes_emitted_total` (JSON bytes, as v1).
 *
 * @example
 * import { commitFrames } from '@jetstream-ts/cursor-buffer';
 * import { countAppended } from '@jetstream-ts/metrics';
 *
 * // frames$: an Observable<FrameEvents>; log: a CursorBuffer; metrics: from createMetrics()
 * frames$.pipe(commitFrames(log), countAppended(metrics));
 *
 * @param metrics From `createMetrics`.
 * @return An operator that mirrors its source and counts each batch's events.
 */
export function countAppended<B extends CommittedBatch>(metrics: JetstreamMetrics): MonoTypeOperatorFunction<B> {
  const { consumer, server } = metrics;
  return tap(({ events }) => {
    if (events.length === 0) return;
    let bytes = 0;
    for (const event of events) bytes += event.json.length;
    consumer.eventsPersisted.inc(events.length);
    consumer.eventsEmitted.inc(events.length);
    server.eventsEmitted.inc(events.length);
    server.bytesEmitted.inc(bytes);
  });
}
