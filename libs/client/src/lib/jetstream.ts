import { asyncScheduler, Observable, type SchedulerLike, Subscription } from 'rxjs';
import { type ClientSocket, defaultSocketOpener, type SocketEnd, type SocketOpener } from './client-socket.js';
import type { CollectionMatching, JetstreamEvent, JetstreamMessage } from './events.js';
import { DEFAULT_RECONNECT, reconnectDelay, type ReconnectOptions } from './reconnect-delay.js';
import { connectionUrl, optionsUpdateMessage, subscribeEndpoint, type SubscriberFilterOptions } from './subscribe-url.js';
import { loadZstdDecoder, type ZstdDecoder, type ZstdEngine } from './zstd-decoder.js';

/** The filter of a stream whose commits are in collections matching `W`. */
export interface JetstreamFilter<W extends string = string> extends SubscriberFilterOptions {
  wantedCollections?: readonly W[];
}

export interface JetstreamOptions<W extends string = string> extends JetstreamFilter<W> {
  /** The server: `wss://host`, `ws://127.0.0.1:6008/subscribe`, `https://host` (made `wss://`). */
  url: string;
  /** Inclusive `time_us` to start from; 0 replays everything the server keeps. Default: live. */
  cursor?: number;
  /** Ask for zstd frames (v1 dictionary, decoded here): about half the bytes on the wire. */
  compress?: boolean;
  /** Send the filter in a first `options_update` (the hello) instead of the URL: for long DID lists. */
  requireHello?: boolean;
  /** Reconnect timing (250 ms doubling to 30 s, with jitter). */
  reconnect?: ReconnectOptions;
  /**
   * Reconnect when neither an event nor a server ping came for this long (ms); 0 disables.
   * Default 90,000 (v1 servers ping every 30 s). Only where pings are visible (the `ws` opener).
   */
  livenessTimeoutMs?: number;
  /** Async iteration: events held for a slow consumer before reading pauses. Default 1,000. */
  highWaterMark?: number;
  /** Connection changes, dropped repeats and invalid messages, for logs and metrics. */
  onStatus?: (status: JetstreamStatus) => void;
  /** Opens connections; `ws` on Node, the global WebSocket elsewhere. See `webSocketOpener`. */
  socket?: SocketOpener;
  /** zstd implementations to try, in order; default node:zlib then zstd-napi. */
  zstdEngines?: readonly ZstdEngine[];
  /** Decodes compressed events instead (e.g. a WebAssembly zstd in a browser). */
  decompress?: ZstdDecoder;
  /** Schedules reconnects and liveness checks; `asyncScheduler` by default. */
  scheduler?: SchedulerLike;
  /** Uniform [0, 1) source for the reconnect jitter. */
  random?: () => number;
}

export type JetstreamStatus =
  | { type: 'connecting'; url: string; cursor?: number }
  | { type: 'connected'; url: string; zstd?: ZstdEngine | 'custom' }
  | { type: 'disconnected'; reason: string; retryInMs: number }
  /** Reading stopped for a slow consumer by closing (the WebSocket cannot pause); resumes from the cursor. */
  | { type: 'paused' }
  /** An event at or before the last one delivered: the inclusive cursor's repeat after a reconnect. */
  | { type: 'repeat-dropped'; time_us: number }
  /** A message that is not a v1 event (bad JSON, bad zstd); dropped. Reported once per connection. */
  | { type: 'invalid-message'; detail: string };

/** Why a stream ended with an error: the server refused the request; retrying would not help. */
export class JetstreamError extends Error {
  constructor(
    message: string,
    /** The HTTP status of a refused upgrade, or the close code. */
    readonly code: number,
  ) {
    super(message);
    this.name = 'JetstreamError';
  }
}

/** What one subscription exposes to the shared options and to async iteration. */
interface Connection {
  update(filter: SubscriberFilterOptions): void;
  pause(): void;
  resume(): void;
  stop(): void;
}

/** State shared by a stream's subscriptions: the current filter and who to tell when it changes. */
interface SharedState {
  options: JetstreamOptions<string>;
  endpoint: string;
  filter: SubscriberFilterOptions;
  connections: Set<Connection>;
}

interface Sink {
  next(message: JetstreamMessage): void;
  error(error: unknown): void;
}

/**
 * What retrying cannot fix: an HTTP 4xx to the upgrade (a bad filter or cursor; but 429, too many
 * connections, and 408 pass with time), or the close codes v1 uses for a bad client message
 * (1007) or invalid options (1008 "failed to …").
 */
function isRefusal(end: SocketEnd): boolean {
  if (end.type === 'rejected') return end.status >= 400 && end.status < 500 && end.status !== 408 && end.status !== 429;
  if (end.type !== 'closed') return false;
  return end.code === 1007 || (end.code === 1008 && end.reason.startsWith('failed to'));
}

function describeEnd(end: SocketEnd): string {
  if (end.type === 'failed') return end.error;
  if (end.type === 'rejected') return `HTTP ${end.status}${end.body ? `: ${end.body}` : ''}`;
  return `code ${end.code}${end.reason ? `: ${end.reason}` : ''}`;
}

const utf8 = new TextEncoder();
const textDecoder = new TextDecoder();

/** Opens and re-opens connections for one subscriber until it stops or the server refuses it. */
function connect(shared: SharedState, sink: Sink): Connection {
  const { options } = shared;
  const scheduler = options.scheduler ?? asyncScheduler;
  const report = options.onStatus ?? (() => undefined);
  const livenessTimeoutMs = options.livenessTimeoutMs ?? 90_000;
  const resetAfterMs = options.reconnect?.resetAfterMs ?? DEFAULT_RECONNECT.resetAfterMs;

  // The cursor of the next connection, and the time_us at or below which events are repeats.
  let resumeFrom = options.cursor;
  let lastDelivered: number | undefined;
  let failedAttempts = 0;
  let stopped = false;
  let paused = false;
  let socket: ClientSocket | undefined;
  let open = false;
  let timers: Subscription | undefined;
  let tools: { openSocket: SocketOpener; decode?: ZstdDecoder; zstd?: ZstdEngine | 'custom' } | undefined;

  const closeCurrent = () => {
    timers?.unsubscribe();
    timers = undefined;
    socket?.close();
    socket = undefined;
    open = false;
  };

  const dial = () => {
    if (stopped || paused || tools === undefined) return;
    const url = connectionUrl(shared.endpoint, {
      filter: shared.filter,
      cursor: resumeFrom,
      compress: options.compress === true,
      requireHello: options.requireHello === true,
    });
    report(resumeFrom === undefined ? { type: 'connecting', url } : { type: 'connecting', url, cursor: resumeFrom });
    const { decode, zstd } = tools;
    const connectionTimers = new Subscription();
    timers = connectionTimers;
    const startedAt = scheduler.now();
    let lastActivity = startedAt;
    let delivered = false;
    let invalidReported = false;

    const ended = (reason: string, end?: SocketEnd) => {
      if (socket === undefined || timers !== connectionTimers) return;
      closeCurrent();
      if (end !== undefined && isRefusal(end)) {
        stopped = true;
        const code = end.type === 'rejected' ? end.status : end.type === 'closed' ? end.code : 0;
        sink.error(new JetstreamError(`${shared.endpoint} refused the subscription: ${reason}`, code));
        return;
      }
      if (delivered || scheduler.now() - startedAt >= resetAfterMs) failedAttempts = 0;
      const retryInMs = reconnectDelay(failedAttempts++, options.reconnect, options.random);
      report({ type: 'disconnected', reason, retryInMs });
      timers = scheduler.schedule(dial, retryInMs);
    };

    const checkLiveness = (due: number) =>
      connectionTimers.add(
        scheduler.schedule(() => {
          // A socket we paused reads no pings: that silence is ours, not the server's.
          if (paused) lastActivity = scheduler.now();
          const idle = scheduler.now() - lastActivity;
          if (idle >= livenessTimeoutMs) ended(`no event or ping for ${idle} ms`);
          else checkLiveness(livenessTimeoutMs - idle);
        }, due),
      );

    const receive = (data: Uint8Array | string, isBinary: boolean) => {
      lastActivity = scheduler.now();
      let json: string;
      let event: JetstreamEvent;
      try {
        if (!isBinary) json = typeof data === 'string' ? data : textDecoder.decode(data);
        else if (decode === undefined) throw new Error('binary message on an uncompressed stream');
        else json = textDecoder.decode(decode(data as Uint8Array));
        event = JSON.parse(json) as JetstreamEvent;
        if (typeof event?.time_us !== 'number') throw new Error('no time_us');
      } catch (error) {
        if (!invalidReported) report({ type: 'invalid-message', detail: (error as Error).message });
        invalidReported = true;
        return;
      }
      if (lastDelivered !== undefined && event.time_us <= lastDelivered) return report({ type: 'repeat-dropped', time_us: event.time_us });
      lastDelivered = resumeFrom = event.time_us;
      delivered = true;
      sink.next({ event, json, wireBytes: typeof data === 'string' ? utf8.encode(data).length : data.byteLength });
    };

    socket = tools.openSocket(url, {
      open: () => {
        open = true;
        lastActivity = scheduler.now();
        // Nothing delivered yet and no cursor: a reconnect resumes from when we first connected.
        resumeFrom ??= Date.now() * 1000;
        report(zstd === undefined ? { type: 'connected', url } : { type: 'connected', url, zstd });
        if (options.requireHello) socket?.send(optionsUpdateMessage(shared.filter));
        if (livenessTimeoutMs > 0 && socket?.reportsPings) checkLiveness(livenessTimeoutMs);
      },
      message: receive,
      alive: () => (lastActivity = scheduler.now()),
      ended: (end) => ended(describeEnd(end), end),
    });
  };

  // With an opener given and no zstd to load, the first connection opens at once (synchronously).
  const ready = async () => {
    const openSocket = options.socket ?? (await defaultSocketOpener());
    if (!options.compress) return { openSocket };
    if (options.decompress) return { openSocket, decode: options.decompress, zstd: 'custom' as const };
    const { decode, engine } = await loadZstdDecoder(options.zstdEngines);
    return { openSocket, decode, zstd: engine };
  };
  if (options.socket !== undefined && !options.compress) {
    tools = { openSocket: options.socket };
    dial();
  } else {
    ready().then(
      (loaded) => {
        tools = loaded;
        dial();
      },
      (error: unknown) => !stopped && sink.error(error),
    );
  }

  return {
    // A connection still opening asks for the new filter itself (in its URL or hello).
    update: (filter) => open && socket?.send(optionsUpdateMessage(filter)),
    pause: () => {
      if (paused || stopped) return;
      paused = true;
      if (socket?.pause()) return;
      // This WebSocket cannot stop reading: close, and resume from the cursor later (no gap).
      closeCurrent();
      report({ type: 'paused' });
    },
    resume: () => {
      if (!paused || stopped) return;
      paused = false;
      if (socket !== undefined) socket.resume();
      else dial();
    },
    stop: () => {
      stopped = true;
      closeCurrent();
    },
  };
}

/**
 * A Jetstream subscription: an Observable (each subscriber gets its own connection) that is also
 * async-iterable (with a bounded buffer), and whose filter can change while connected.
 */
export class JetstreamStream<T, W extends string = string> extends Observable<T> implements AsyncIterable<T> {
  constructor(
    private readonly shared: SharedState,
    private readonly project: (message: JetstreamMessage) => T,
  ) {
    super((subscriber) => {
      const connection = connect(shared, {
        next: (message) => subscriber.next(project(message)),
        error: (error) => subscriber.error(error),
      });
      shared.connections.add(connection);
      return () => {
        shared.connections.delete(connection);
        connection.stop();
      };
    });
  }

  /**
   * Replaces the filter wholesale, like v1's `options_update`: a list left out removes that
   * filter. Open connections get an `options_update` at once (events already in flight may
   * still follow the old filter); later connections ask for the new filter.
   */
  updateOptions(filter: JetstreamFilter<W>): void {
    this.shared.filter = { ...filter };
    for (const connection of this.shared.connections) connection.update(this.shared.filter);
  }

  /**
   * Iterates with at most `highWaterMark` events waiting: past it the socket stops being read
   * (TCP backpressure, so the server sees a slow reader), or where the WebSocket cannot pause,
   * the connection closes and reopens from the last delivered `time_us` once the consumer has
   * caught up to half the mark. Nothing is lost or repeated either way.
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    const { shared, project } = this;
    const highWaterMark = shared.options.highWaterMark ?? 1000;
    const queue: T[] = [];
    let failure: { error: unknown } | undefined;
    let waiting: { resolve(result: IteratorResult<T>): void; reject(error: unknown): void } | undefined;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      shared.connections.delete(connection);
      connection.stop();
    };
    const connection = connect(shared, {
      next: (message) => {
        const value = project(message);
        if (waiting !== undefined) {
          waiting.resolve({ value, done: false });
          waiting = undefined;
          return;
        }
        queue.push(value);
        if (queue.length >= highWaterMark) connection.pause();
      },
      error: (error) => {
        finish();
        if (waiting === undefined) failure = { error };
        else waiting.reject(error);
        waiting = undefined;
      },
    });
    shared.connections.add(connection);
    const done = (): IteratorResult<T> => ({ value: undefined, done: true });
    return {
      next: () => {
        if (queue.length > 0) {
          const value = queue.shift() as T;
          if (queue.length <= highWaterMark / 2) connection.resume();
          return Promise.resolve({ value, done: false });
        }
        if (failure !== undefined) {
          const { error } = failure;
          failure = undefined;
          return Promise.reject(error);
        }
        if (finished) return Promise.resolve(done());
        return new Promise((resolve, reject) => (waiting = { resolve, reject }));
      },
      // Ends at once, even while a `next()` waits (an async generator would wait for it first).
      return: () => {
        finish();
        queue.length = 0;
        waiting?.resolve(done());
        waiting = undefined;
        return Promise.resolve(done());
      },
    };
  }
}

/** The stream {@link jetstream} returns, plus the same stream as messages with their wire form. */
export interface Jetstream<W extends string> extends JetstreamStream<JetstreamEvent<CollectionMatching<W>>, W> {
  /** Events with their exact JSON text and wire size; shares the filter with the event stream. */
  readonly messages: JetstreamStream<JetstreamMessage<CollectionMatching<W>>, W>;
}

/**
 * Subscribes to a Jetstream server (`/subscribe`, the v1 wire): every subscription opens a
 * connection and keeps it up until unsubscribed or refused.
 *
 * Reconnects after a close or failure with backoff and jitter, from the `time_us` of the last
 * event delivered; the inclusive cursor sends that event again and it is dropped, so the events
 * come exactly once and in order across reconnects and server restarts (when the server keeps
 * them, as v1 does for its TTL). A server that refuses the request (HTTP 400 for a bad filter or
 * cursor, close 1007/1008 for a bad `options_update`) ends the stream with a
 * {@link JetstreamError}.
 *
 * Events are pushed as they are read; a synchronous consumer holds the socket read, so memory
 * stays bounded and a slow consumer slows the TCP stream. Async iteration holds at most
 * `highWaterMark` events (see {@link JetstreamStream}).
 *
 * @example
 * import { jetstream } from '@jetstream-ts/client';
 *
 * const posts = jetstream({ url: 'wss://jetstream.example', wantedCollections: ['app.bsky.feed.post'], compress: true });
 * posts.subscribe((event) => {
 *   if (event.kind === 'commit' && event.commit.operation === 'create') console.log(event.commit.record.text);
 * });
 *
 * @param options The server URL, filter, cursor, compression and collaborators.
 * @return An Observable (and async iterable) of typed events, with `updateOptions` and `messages`.
 * @throws TypeError at once for a URL that is not ws://, wss://, http:// or https://.
 */
export function jetstream<const W extends string = string>(options: JetstreamOptions<W>): Jetstream<W> {
  const shared: SharedState = {
    options,
    endpoint: subscribeEndpoint(options.url),
    filter: {
      wantedCollections: options.wantedCollections,
      wantedDids: options.wantedDids,
      maxMessageSizeBytes: options.maxMessageSizeBytes,
    },
    connections: new Set(),
  };
  const events = new JetstreamStream<JetstreamEvent<CollectionMatching<W>>, W>(
    shared,
    (message) => message.event as JetstreamEvent<CollectionMatching<W>>,
  );
  const messages = new JetstreamStream<JetstreamMessage<CollectionMatching<W>>, W>(
    shared,
    (message) => message as JetstreamMessage<CollectionMatching<W>>,
  );
  return Object.assign(events, { messages });
}
