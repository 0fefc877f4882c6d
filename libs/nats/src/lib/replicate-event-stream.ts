import { commitFrames, type EventStore } from '@jetstream-ts/cursor-buffer';
import type { AppendBatch } from '@jetstream-ts/models';
import { map, type Observable } from 'rxjs';
import { jetStreamEvents, type JetStreamEventsOptions } from './jetstream-events.js';

export interface ReplicateEventStreamOptions extends Omit<JetStreamEventsOptions, 'afterTimeUs'> {
  /** The edge's local log (a `CursorBuffer` over lmdb, which also wakes its subscribers). */
  log: Pick<EventStore, 'append' | 'headTimeUs'>;
  /** A batch is committed once it holds this many events. Default 1,000. */
  maxBatchEvents?: number;
  /** ... or this long after its first event. Default 20 ms. */
  maxBatchWaitMs?: number;
}

/**
 * The edge's replication: the event stream into the local log, resuming after the log's own
 * head, in batches (each one lmdb transaction). The log keeps the relay seq of its last event as
 * its relay cursor; a batch may end inside a relay frame, which is harmless here: an edge resumes
 * from its own `time_us` head, never from that cursor.
 *
 * @example
 * import { CursorBuffer, openLmdbEventStore } from '@jetstream-ts/cursor-buffer';
 * import { EdgeLag, replicateEventStream } from '@jetstream-ts/nats';
 *
 * // connection, jsm: from connectNats(); stream: eventStreamConfig(); logger: pino
 * const lag = new EdgeLag();
 * const log = new CursorBuffer(openLmdbEventStore({ path: 'data/events' }));
 * replicateEventStream({ connection, jsm, stream, log, lag }).subscribe({ error: (err) => logger.fatal({ err }, 'replication failed') });
 *
 * @param options The stream, the local log, batching limits.
 * @return An Observable of the committed batches.
 */
export function replicateEventStream(options: ReplicateEventStreamOptions): Observable<AppendBatch> {
  const { log, maxBatchEvents, maxBatchWaitMs } = options;
  return jetStreamEvents({ ...options, afterTimeUs: () => log.headTimeUs() }).pipe(
    map((event) => ({ events: [event], relayCursor: event.relaySeq })),
    commitFrames(log, { maxBatchEvents, maxBatchWaitMs }),
  );
}
