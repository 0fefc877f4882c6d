import { assertAppendable, type EventStore } from '@jetstream-ts/cursor-buffer';
import type { LoggedEvent } from '@jetstream-ts/models';
import { jetstream, PubHeaders, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { delay, headers, type NatsConnection } from '@nats-io/nats-core';
import { decodeEventMessage, encodeEventMessage, eventMessageId } from './event-message.js';
import type { EventStreamConfig } from './event-stream.js';
import { errorMessage } from './nats-connection.js';

export interface JetStreamEventPublisherOptions {
  connection: NatsConnection;
  jsm: JetStreamManager;
  /** The stream, created beforehand (`ensureEventStream`). */
  stream: EventStreamConfig;
  /** How long to wait for JetStream's acknowledgement of a message. Default 5 s. */
  ackTimeoutMs?: number;
  /** How long an append keeps retrying while NATS is unavailable (a NATS restart) before it rejects. Default 60 s. */
  retryForMs?: number;
  /** Pause between attempts. Default 500 ms. */
  retryDelayMs?: number;
  /** Told of each failed attempt that will be retried. */
  onRetry?: (error: unknown) => void;
}

/** The events of one frame position in the stream: which was stored last. */
interface StreamPoint {
  /** Stream sequence of the last message; 0 for an empty stream. */
  seq: number;
  /** That message's fields, unless the stream holds none (empty, or everything aged out). */
  last?: { time_us: number; relaySeq: number; op: number; relayCursor: number | undefined };
}

interface OutgoingMessage {
  payload: Uint8Array;
  msgId: string;
  time_us: number;
  relaySeq: number;
  op: number;
}

/**
 * The ingester's event log on NATS JetStream: what `ingestFrames` commits to (`append`,
 * `headTimeUs`, `relayCursor`), publishing each event as one message: `encodeEventMessage`'s
 * body (`time_us`, relay seq, op index, DID, kind, collection in a binary prefix, then the zstd
 * frame), and only the two headers JetStream acts on.
 *
 * Exactly once across `kill -9`, with the stream as the only source of truth:
 * - `open()` reads the stream's last message: the `time_us` head, and the relay cursor (the
 *   relay cursor of a complete append's last message; if the process died halfway through one, the
 *   seq before the last stored frame, so that frame is read again).
 * - Events of a re-read frame up to the last stored one are skipped; each message also carries
 *   `Nats-Msg-Id` = relay seq + op index (the same when a frame is re-read, unlike `time_us`),
 *   so JetStream drops a duplicate within its window.
 * - Each message expects the stream's previous sequence (`Nats-Expected-Last-Sequence`), so the
 *   stream holds a prefix of what was sent, never a gap, one acknowledgement per append confirms
 *   it all, and a second ingester on the same stream is detected instead of interleaving.
 * An append that fails (NATS restarting, an ack lost) re-reads the stream's last message, drops
 * what is already stored and publishes the rest, until `retryForMs`.
 *
 * The frame's events must arrive in one append (as `ingestFrames` does).
 *
 * @example
 * import { IngestProgress, ingestFrames } from '@jetstream-ts/ingest';
 * import { JetStreamEventPublisher, connectNats, ensureEventStream, eventStreamConfig } from '@jetstream-ts/nats';
 * import { relayFrames } from '@jetstream-ts/upstream';
 *
 * // natsUrl, wsUrl: the NATS server's and the relay's URLs; stages: from v1IngestStages()
 * const { connection, jsm } = await connectNats(natsUrl);
 * const stream = eventStreamConfig();
 * await ensureEventStream(jsm, stream, { update: true });
 * const log = await JetStreamEventPublisher.open({ connection, jsm, stream });
 * const progress = new IngestProgress(log.relayCursor());
 * relayFrames({ wsUrl, cursor: () => progress.resumeCursor() }).pipe(ingestFrames({ log, stages, progress })).subscribe();
 */
export class JetStreamEventPublisher implements Pick<EventStore, 'append' | 'headTimeUs' | 'relayCursor' | 'close'> {
  readonly #connection: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #stream: EventStreamConfig;
  readonly #ackTimeoutMs: number;
  readonly #retryForMs: number;
  readonly #retryDelayMs: number;
  readonly #onRetry: ((error: unknown) => void) | undefined;
  #lastSeq = 0;
  #headTimeUs = 0;
  #relayCursor: number | undefined;
  /** After a recovery: events up to this (relay seq, op) are in the stream already. */
  #storedUpTo: { relaySeq: number; op: number } | undefined;

  private constructor(options: JetStreamEventPublisherOptions) {
    this.#connection = options.connection;
    this.#js = jetstream(options.connection);
    this.#jsm = options.jsm;
    this.#stream = options.stream;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 5_000;
    this.#retryForMs = options.retryForMs ?? 60_000;
    this.#retryDelayMs = options.retryDelayMs ?? 500;
    this.#onRetry = options.onRetry;
  }

  /** A publisher positioned after the stream's last event. */
  static async open(options: JetStreamEventPublisherOptions): Promise<JetStreamEventPublisher> {
    const publisher = new JetStreamEventPublisher(options);
    const point = await publisher.#readLastPoint();
    publisher.#moveTo(point);
    if (point.last) {
      const { relaySeq, op, relayCursor } = point.last;
      publisher.#relayCursor = relayCursor ?? Math.max(0, relaySeq - 1);
      publisher.#storedUpTo = { relaySeq, op };
    }
    return publisher;
  }

  /** Where the relay should resume: recovered from the stream, then the cursor of the last append. */
  relayCursor(): number | undefined {
    return this.#relayCursor;
  }

  /** `time_us` of the newest event in the stream; 0 when it holds none. */
  headTimeUs(): number {
    return this.#headTimeUs;
  }

  /** Stream sequence of the newest message published (0 for none). */
  lastSequence(): number {
    return this.#lastSeq;
  }

  /**
   * Publishes the events, each once; resolves when JetStream has stored every one. An event-less
   * append only moves the cursor in memory: it is recorded with the next event, and after a crash
   * those frames are read again (they give no events).
   */
  async append(events: readonly LoggedEvent[], relayCursor: number): Promise<void> {
    assertAppendable(events, this.#headTimeUs);
    let pending = this.#toMessages(events, relayCursor);
    const publishesEvents = pending.length > 0;
    const deadline = Date.now() + this.#retryForMs;
    for (;;) {
      const failure = await this.#publish(pending);
      if (failure === undefined) break;
      // What the stream holds decides: some of these may be in it already, or another publisher's events.
      pending = await this.#resync(pending);
      if (pending.length === 0) break;
      if (Date.now() >= deadline) {
        throw new Error(`publishing to stream ${this.#stream.name} failed for ${this.#retryForMs} ms: ${errorMessage(failure.error)}`, { cause: failure.error });
      }
      this.#onRetry?.(failure.error);
      await delay(this.#retryDelayMs);
    }
    this.#relayCursor = relayCursor;
    // Past the re-read frames: from now on every event is new.
    if (publishesEvents) this.#storedUpTo = undefined;
  }

  /** Nothing to release: the connection belongs to the caller. */
  async close(): Promise<void> {
    return;
  }

  #toMessages(events: readonly LoggedEvent[], relayCursor: number): OutgoingMessage[] {
    const unstored: { event: LoggedEvent; op: number }[] = [];
    let op = 0;
    events.forEach((event, index) => {
      op = index > 0 && events[index - 1].relaySeq === event.relaySeq ? op + 1 : 0;
      if (!this.#isStored(event.relaySeq, op)) unstored.push({ event, op });
    });
    return unstored.map(({ event, op }, index) => ({
      // The append's cursor travels with its last event, so a complete append is recognisable after a crash.
      payload: encodeEventMessage(event, op, index === unstored.length - 1 ? relayCursor : undefined),
      msgId: eventMessageId(event.relaySeq, op),
      time_us: event.time_us,
      relaySeq: event.relaySeq,
      op,
    }));
  }

  #isStored(relaySeq: number, op: number): boolean {
    const stored = this.#storedUpTo;
    return stored !== undefined && (relaySeq < stored.relaySeq || (relaySeq === stored.relaySeq && op <= stored.op));
  }

  /**
   * Sends every message at once, in order on one connection, each expecting its predecessor's
   * sequence; only the last waits for JetStream's acknowledgement. As a refused message makes
   * every later expectation fail, that one ack, at the expected sequence, confirms them all.
   */
  async #publish(messages: readonly OutgoingMessage[]): Promise<{ error: unknown } | undefined> {
    if (messages.length === 0) return undefined;
    const base = this.#lastSeq;
    const { subject } = this.#stream;
    const headersOf = (message: OutgoingMessage, index: number) => {
      const hdrs = headers();
      hdrs.set(PubHeaders.MsgIdHdr, message.msgId);
      hdrs.set(PubHeaders.ExpectedLastSeqHdr, String(base + index));
      return hdrs;
    };
    messages.forEach((message, index) => {
      if (index < messages.length - 1) this.#connection.publish(subject, message.payload, { headers: headersOf(message, index) });
    });
    const last = messages[messages.length - 1];
    try {
      const ack = await this.#js.publish(subject, last.payload, { headers: headersOf(last, messages.length - 1), timeout: this.#ackTimeoutMs });
      // A duplicate is acknowledged with the stored copy's sequence: learn the truth from the stream.
      if (ack.duplicate || ack.seq !== base + messages.length) {
        return { error: new Error(`JetStream stored the last message at ${ack.seq}${ack.duplicate ? ' (duplicate)' : ''}, expected ${base + messages.length}`) };
      }
    } catch (error) {
      return { error };
    }
    this.#lastSeq = base + messages.length;
    this.#headTimeUs = last.time_us;
    return undefined;
  }

  /** After a failed attempt: what of `pending` is not in the stream yet (the stream is the truth). */
  async #resync(pending: readonly OutgoingMessage[]): Promise<OutgoingMessage[]> {
    let point: StreamPoint;
    try {
      point = await this.#readLastPoint();
    } catch (error) {
      this.#onRetry?.(error);
      return [...pending];
    }
    if (point.seq === this.#lastSeq) return [...pending];
    const last = point.last;
    const ours = last !== undefined && pending.some((message) => message.relaySeq === last.relaySeq && message.op === last.op);
    if (!ours) {
      throw new Error(
        `stream ${this.#stream.name} moved from sequence ${this.#lastSeq} to ${point.seq} by another publisher: run exactly one ingester per stream`,
      );
    }
    this.#moveTo(point);
    return pending.filter((message) => message.relaySeq > last.relaySeq || (message.relaySeq === last.relaySeq && message.op > last.op));
  }

  #moveTo(point: StreamPoint): void {
    this.#lastSeq = point.seq;
    if (point.last) this.#headTimeUs = Math.max(this.#headTimeUs, point.last.time_us);
  }

  async #readLastPoint(): Promise<StreamPoint> {
    const { name } = this.#stream;
    const { state } = await this.#jsm.streams.info(name);
    if (state.last_seq === 0) return { seq: 0 };
    // null: retention removed every message; the head and the relay cursor went with them.
    const message = await this.#jsm.streams.getMessage(name, { seq: state.last_seq });
    if (message === null) return { seq: state.last_seq };
    const fields = decodeEventMessage(message.data);
    if (typeof fields === 'string') throw new Error(`stream ${name} is misconfigured for the event log: message ${message.seq} is not an event (${fields})`);
    return { seq: message.seq, last: fields };
  }
}
