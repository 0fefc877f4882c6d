import type { FirehoseFrame } from '@jetstream-ts/models';
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { JetstreamMetrics } from './create-metrics.js';

/**
 * Observes `consumer_event_processing_duration_seconds` once per commit frame, as v1 does: the
 * time the rest of the pipeline takes to process the frame (mapping, sequencing, encoding,
 * until its events wait for the store), measured around the synchronous hand-off downstream.
 * tooBig commits and other frame types are passed on untimed (v1 times the normal commit path
 * only). Place it first at the `frames` stage so everything after decoding is timed.
 *
 * @example
 * import { decodeFrames } from '@jetstream-ts/frames';
 * import { toJetstreamEvents } from '@jetstream-ts/mapping';
 * import { timeCommitProcessing } from '@jetstream-ts/metrics';
 * import { sequence } from '@jetstream-ts/sequencing';
 *
 * // relayBytes$: an Observable<Uint8Array>; drops: a DropReporter; metrics: from createMetrics()
 * relayBytes$.pipe(decodeFrames({ drops }), timeCommitProcessing(metrics), toJetstreamEvents({ drops }), sequence());
 *
 * @param metrics From `createMetrics`.
 * @param clock Milliseconds, monotonic (`performance.now` by default; injected in tests).
 * @return An operator that mirrors its source and times each commit's downstream processing.
 */
export function timeCommitProcessing(
  metrics: JetstreamMetrics,
  clock: () => number = () => performance.now(),
): MonoTypeOperatorFunction<FirehoseFrame> {
  const histogram = metrics.consumer.eventProcessingDuration;
  return (source) =>
    new Observable<FirehoseFrame>((destination) =>
      source.subscribe({
        next: (frame) => {
          if (frame.type !== 'commit' || frame.body.tooBig) return destination.next(frame);
          const start = clock();
          destination.next(frame);
          histogram.observe((clock() - start) / 1000);
        },
        error: (error: unknown) => destination.error(error),
        complete: () => destination.complete(),
      }),
    );
}
