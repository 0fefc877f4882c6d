import { tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { JetstreamMetrics } from './create-metrics.js';

/**
 * Counts each event that passes in `consumer_events_sequenced_total`, passing it through.
 * Place it right after `sequence()`.
 *
 * @example
 * import { countSequenced } from '@jetstream-ts/metrics';
 * import { sequence } from '@jetstream-ts/sequencing';
 *
 * // events$: an Observable<JetstreamEvent>; log: a CursorBuffer; metrics: from createMetrics()
 * events$.pipe(sequence({ after: log.headTimeUs() }), countSequenced(metrics));
 *
 * @param metrics From `createMetrics`.
 * @return An operator that mirrors its source and counts each value.
 */
export function countSequenced<T>(metrics: JetstreamMetrics): MonoTypeOperatorFunction<T> {
  return tap(() => metrics.consumer.eventsSequenced.inc());
}
