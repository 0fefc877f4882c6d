import type { FirehoseFrame } from '@jetstream-ts/models';
import { tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { ConsumerMetrics, JetstreamMetrics } from './create-metrics.js';

/**
 * Counts relay frames as v1 does, passing them through unchanged.
 *
 * Every frame: `indigo_repo_stream_events_received_total` and `…_bytes_total` (its size).
 * `consumer_events_processed_total{event_type}` for commit (tooBig ones too), identity, account
 * and error frames. For a commit that is not tooBig, and for identity and account:
 * `consumer_last_seq`, `consumer_last_evt_processed_at` (now), and, when the relay `time`
 * parses, `consumer_last_evt_created_at` and the gap in seconds. Each op of such a commit:
 * `consumer_ops_processed_total{kind=action, op_path=collection}`. `#sync`, `#info`, unknown
 * and undecodable frames are counted only as received (their drops are the decoder's report).
 *
 * @example
 * import { decodeFrames } from '@jetstream-ts/frames';
 * import { toJetstreamEvents } from '@jetstream-ts/mapping';
 * import { countFrames } from '@jetstream-ts/metrics';
 *
 * // relayBytes$: an Observable<Uint8Array>; drops: a DropReporter; metrics: from createMetrics()
 * relayBytes$.pipe(decodeFrames({ drops }), countFrames(metrics), toJetstreamEvents({ drops }));
 *
 * @param metrics From `createMetrics`.
 * @return An operator that mirrors its source and counts each frame.
 */
export function countFrames(metrics: JetstreamMetrics): MonoTypeOperatorFunction<FirehoseFrame> {
  const { consumer } = metrics;
  return tap((frame) => {
    consumer.repoStreamEventsReceived.inc();
    consumer.repoStreamBytes.inc(frame.size);
    switch (frame.type) {
      case 'commit':
        consumer.eventsProcessed.inc({ event_type: 'commit' });
        if (frame.body.tooBig) return;
        recordProgress(consumer, frame.body.seq, frame.body.time);
        for (const op of frame.body.ops) {
          consumer.opsProcessed.inc({ kind: op.action, op_path: op.path.split('/')[0] });
        }
        return;
      case 'identity':
      case 'account':
        consumer.eventsProcessed.inc({ event_type: frame.type });
        recordProgress(consumer, frame.body.seq, frame.body.time);
        return;
      case 'error':
        consumer.eventsProcessed.inc({ event_type: 'error' });
        return;
    }
  });
}

const NANOS_PER_MILLI = 1e6;

function recordProgress(consumer: ConsumerMetrics, seq: number, relayTime: string): void {
  const nowMs = Date.now();
  consumer.lastSeq.set(seq);
  consumer.lastEvtProcessedAt.set(nowMs * NANOS_PER_MILLI);
  const createdMs = Date.parse(relayTime);
  if (Number.isNaN(createdMs)) return;
  consumer.lastEvtCreatedAt.set(createdMs * NANOS_PER_MILLI);
  consumer.lastEvtCreatedEvtProcessedGap.set((nowMs - createdMs) / 1000);
}
