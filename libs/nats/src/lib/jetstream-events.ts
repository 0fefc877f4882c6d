import { createV1Decompressor, type EventDecompressor } from '@jetstream-ts/compression';
import { StoredEvent } from '@jetstream-ts/cursor-buffer';
import type { DropReporter, LoggedEvent } from '@jetstream-ts/models';
import { DeliverPolicy, jetstream, type ConsumerMessages, type JetStreamManager } from '@nats-io/jetstream';
import { delay, type NatsConnection, type QueuedIterator, type Status } from '@nats-io/nats-core';
import { Observable } from 'rxjs';
import type { EdgeLag } from './edge-lag.js';
import { decodeEventMessage } from './event-message.js';
import type { EventStreamConfig } from './event-stream.js';
import { firstSequenceAfter } from './first-sequence-after.js';

/** Attempts to create the consumer, CONSUMER_RETRY_MS apart, before the stream errors. */
const CONSUMER_ATTEMPTS = 20;
const CONSUMER_RETRY_MS = 500;

export interface JetStreamEventsOptions {
  connection: NatsConnection;
  jsm: JetStreamManager;
  stream: EventStreamConfig;
  /** Events with `time_us` above this are read; asked once per subscription (an edge passes its store's head). */
  afterTimeUs: () => number;
  /** Turns an event's zstd into JSON when a reader asks for it. Default: the v1 dictionary. */
  decompressor?: EventDecompressor;
  /** Updated with every message read. */
  lag?: EdgeLag;
  /** Messages JetStream delivers per pull. Default 1,000. */
  batchSize?: number;
  /** Where messages that are not events, or not after the previous one, are reported (and skipped). */
  drops?: DropReporter;
  /** Told when the edge starts behind the oldest retained event (it joined too late, or was down longer than the retention). */
  onGap?: (gap: { afterTimeUs: number; oldestTimeUs: number }) => void;
}

/**
 * The event stream as events, from the first one after `afterTimeUs()`, then live: an ordered
 * consumer (no state on the server; it re-creates itself at the right sequence after a NATS
 * restart or a missed message) started at the sequence found by {@link firstSequenceAfter}.
 * Each event carries the message's fields and zstd bytes (copied); its JSON is decompressed on
 * first access, as with events read from the lmdb store. A message this version cannot read
 * (another format, garbage) is refused: reported to `drops` as `not_an_event` with the reason
 * from `decodeEventMessage`, and skipped.
 *
 * Subscribing resolves the start position asynchronously; unsubscribing stops the consumer.
 *
 * @example
 * import { commitFrames } from '@jetstream-ts/cursor-buffer';
 * import { jetStreamEvents } from '@jetstream-ts/nats';
 * import { map } from 'rxjs';
 *
 * // connection, jsm: from connectNats(); stream: eventStreamConfig(); log: the edge's CursorBuffer
 * jetStreamEvents({ connection, jsm, stream, afterTimeUs: () => log.headTimeUs() })
 *   .pipe(map((event) => ({ events: [event], relayCursor: event.relaySeq })), commitFrames(log))
 *   .subscribe();
 *
 * @param options The connection, the stream, where to start, metrics.
 * @return An Observable of the stream's events, in `time_us` order; it errors if the stream cannot be read.
 */
export function jetStreamEvents(options: JetStreamEventsOptions): Observable<LoggedEvent> {
  const { connection, jsm, stream, lag, drops } = options;
  const decompressor = options.decompressor ?? createV1Decompressor();
  return new Observable<LoggedEvent>((subscriber) => {
    const js = jetstream(connection);
    let messages: ConsumerMessages | undefined;
    let stopped = false;
    // After a reconnect (NATS restarted: the ordered consumer is gone with it), start a new one
    // at once where the last left off, instead of waiting for missed heartbeats.
    const statuses = connection.status() as QueuedIterator<Status>;
    void (async () => {
      for await (const status of statuses) if (status.type === 'reconnect') void messages?.close();
    })();

    const consumeFrom = async (seq: number): Promise<ConsumerMessages> => {
      for (let attempt = 1; ; attempt++) {
        try {
          const consumer = await js.consumers.get(stream.name, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: seq });
          return await consumer.consume({ max_messages: options.batchSize ?? 1_000 });
        } catch (error) {
          // JetStream may still be recovering its streams just after a restart.
          if (attempt >= CONSUMER_ATTEMPTS || connection.isClosed()) throw error;
          await delay(CONSUMER_RETRY_MS);
        }
      }
    };

    const run = async () => {
      let previousTimeUs = options.afterTimeUs();
      const start = await firstSequenceAfter(jsm, stream.name, previousTimeUs);
      if (start.gapBeforeTimeUs !== undefined) options.onGap?.({ afterTimeUs: previousTimeUs, oldestTimeUs: start.gapBeforeTimeUs });
      let nextSeq = start.seq;
      while (!stopped) {
        messages = await consumeFrom(nextSeq);
        if (stopped) await messages.close();
        for await (const message of messages) {
          nextSeq = message.seq + 1;
          const fields = decodeEventMessage(message.data);
          if (typeof fields === 'string' || fields.time_us <= previousTimeUs) {
            const detail = typeof fields === 'string' ? fields : `time_us ${fields.time_us} after ${previousTimeUs}`;
            drops?.drop({ stage: 'stream', reason: typeof fields === 'string' ? 'not_an_event' : 'out_of_order', detail, seq: message.seq });
            continue;
          }
          previousTimeUs = fields.time_us;
          lag?.update(message.info.pending, message.info.timestampNanos / 1e6);
          const { time_us, relaySeq, did, kind, collection, zstd } = fields;
          subscriber.next(new StoredEvent(time_us, relaySeq, did, kind, collection, zstd.slice(), decompressor));
        }
      }
      subscriber.complete();
    };

    run().catch((error: unknown) => subscriber.error(error));
    return () => {
      stopped = true;
      statuses.stop();
      void messages?.close();
    };
  });
}
