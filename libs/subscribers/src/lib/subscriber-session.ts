import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  asyncScheduler,
  firstValueFrom,
  from,
  interval,
  map,
  race,
  Subject,
  takeUntil,
  tap,
  timer,
  type Observable,
  type SchedulerLike,
} from 'rxjs';
import {
  CLOSE_POLICY_VIOLATION,
  DEFAULT_MAX_FILTER_BYTES,
  matchesFilter,
  parseOptionsUpdate,
  type SubscriberFilter,
  type SubscriberOptions,
} from '@jetstream-ts/filtering';
import type { EventLog, LoggedEvent } from '@jetstream-ts/models';
import { ContainedOperator, type PluginFailureHandler } from '@jetstream-ts/plugins';
import type { MonoTypeOperatorFunction } from 'rxjs';
import {
  DEFAULT_SLOW_READER_POLICY,
  detectSlowReader,
  type ReaderProgress,
  type SlowReaderPolicy,
} from './detect-slow-reader.js';
import {
  noSubscriberMetrics,
  silentLogger,
  type SubscriberLabels,
  type SubscriberLogger,
  type SubscriberMetrics,
} from './subscriber-metrics.js';
import { TokenBucket } from './token-bucket.js';

/** Close code when reading the log fails. */
export const CLOSE_INTERNAL_ERROR = 1011;
/** Close code when the server (or its event log) shuts down. */
export const CLOSE_GOING_AWAY = 1001;

/** The connection as a session sees it; the endpoint adapts a `ws` WebSocket to it. */
export interface SubscriberSocket {
  /**
   * Queues one message (binary for zstd, text for JSON). Returns a promise when the
   * connection has enough queued and the session should wait before sending more.
   */
  send(data: Uint8Array, binary: boolean): Promise<unknown> | undefined;
  /** Closes with a close frame; `reason` is at most 123 bytes. */
  close(code: number, reason: string): void;
}

export interface SessionSettings {
  /** Events asked of the log per read. */
  readBatchSize: number;
  /**
   * `--max-sub-rate`: events per second sent to one client address, shared by its connections
   * (the endpoint gives its sessions one bucket per address; a lone session has its own);
   * `Infinity` for no limit.
   */
  maxEventsPerSecond: number;
  /** `--max-client-messages-per-second`: a connection sending more (burst: one second's worth) is closed with 1008. */
  maxClientMessagesPerSecond: number;
  /** `--max-client-bytes-per-second`: the same for the bytes of its messages. */
  maxClientBytesPerSecond: number;
  /** `--max-filter-bytes`: bytes of wanted DIDs and collections one filter may hold (query or `options_update`). */
  maxFilterBytes: number;
  slowReader: SlowReaderPolicy;
  /** How often the slow-reader rule (and the lag metric) looks at the session. */
  sampleIntervalMs: number;
}

/** Close-reason metric label of a connection closed for sending too much. */
const INBOUND_FLOOD = 'inbound_flood';

/**
 * v1's `--max-sub-rate` default (5,000/s), v2's slow-reader rule, sampled every second; inbound:
 * 10 messages and 2 MiB per second per connection, filters of at most 1 MiB (10,000 `did:plc`
 * DIDs take 320 KB).
 */
export const DEFAULT_SESSION_SETTINGS: SessionSettings = {
  readBatchSize: 1000,
  maxEventsPerSecond: 5000,
  maxClientMessagesPerSecond: 10,
  maxClientBytesPerSecond: 2 * 1024 * 1024,
  maxFilterBytes: DEFAULT_MAX_FILTER_BYTES,
  slowReader: DEFAULT_SLOW_READER_POLICY,
  sampleIntervalMs: 1000,
};

export interface SubscriberSessionOptions {
  log: EventLog;
  socket: SubscriberSocket;
  /** From `parseSubscribeRequest`. */
  options: SubscriberOptions;
  /** The client's address (metric label, logs). */
  ipAddress: string;
  /** Names the session in logs and in the lag gauge's `subscriber` label. */
  subscriberId?: string;
  /** Events in the log at or after a position (a `LogTailIndex`); without it no one is judged slow. */
  eventsBehind?: (position: number) => number;
  settings?: Partial<SessionSettings>;
  metrics?: SubscriberMetrics;
  logger?: SubscriberLogger;
  /** Clock and timers for rate limiting and sampling; defaults to `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** The `--max-sub-rate` bucket of the client's address, shared with its other connections; default: one of its own. */
  rateLimit?: TokenBucket;
  /** Subscriber plugins' operators for this session, in order (after the filter, before the size cap). */
  plugins?: readonly SessionPluginOperator[];
  /** Told of each failure of those operators (the event that caused it is not sent). */
  onPluginFailure?: PluginFailureHandler;
}

/** A subscriber plugin's operator for one session. */
export interface SessionPluginOperator {
  readonly plugin: string;
  readonly operator: MonoTypeOperatorFunction<LoggedEvent>;
}

/** What a session applies to each event; replaced whole by `options_update`. */
interface EventRules {
  readonly filter: SubscriberFilter;
  readonly maxMessageSizeBytes: number;
}

/**
 * One subscriber: a position in the event log and one read loop that serves it. While
 * behind, the loop reads `readFrom(position, batch)`; when caught up, it waits for the log's
 * next append and reads again. Replay and live tail are the same loop, so the handover has no
 * seam: no gap, no duplicate, no reordering. A slow connection makes the loop wait (the
 * socket's queue is bounded), so a slow subscriber falls behind in the log and holds no
 * memory on behalf of anyone else.
 *
 * Per event, in order: the filter and size cap in force (an `options_update` replaces both at
 * once, between two events), the rate limit, then the send: the event's JSON as text, or its
 * zstd frame (compressed once, at ingest) as binary. `maxMessageSizeBytes` is compared with
 * the bytes sent, so with the zstd size for compressed subscribers, as v1 does.
 *
 * Where it starts: an inclusive `cursor` at or before the head replays from there (from the
 * oldest retained event when older); no cursor, or one after the head, starts after the head
 * as it stands when the session is created. With `requireHello` nothing is sent before the
 * first valid `options_update`; the position is still the one taken at creation, so nothing
 * is lost while waiting.
 */
export class SubscriberSession {
  readonly ipAddress: string;
  readonly subscriberId: string;
  private readonly log: EventLog;
  private readonly socket: SubscriberSocket;
  private readonly compress: boolean;
  private readonly settings: SessionSettings;
  private readonly metrics: SubscriberMetrics;
  private readonly logger: SubscriberLogger;
  private readonly scheduler: SchedulerLike;
  private readonly eventsBehindFrom: (position: number) => number;
  private readonly rateLimit: TokenBucket | undefined;
  private readonly inboundMessages: TokenBucket;
  private readonly inboundBytes: TokenBucket;
  private readonly stopped$ = new Subject<void>();
  private readonly hello$ = new Subject<void>();
  /** The plugins' contained operators, each feeding the next; empty without plugins. */
  private readonly pluginChain: readonly ContainedOperator<LoggedEvent>[];
  /** What the plugins emitted for the event at hand. */
  private readonly pluginOutput: LoggedEvent[] = [];
  /** The event at hand when there are no plugins (no array per event). */
  private readonly unchanged: LoggedEvent[] = [];
  private rules: EventRules;
  private waitingForHello: boolean;
  private stopped = false;
  /** The `time_us` to read from next. */
  private position: number;
  private eventsRead = 0;
  private unreportedEvents = 0;
  private unreportedBytes = 0;
  private finishedPromise: Promise<void> | undefined;
  /** The caught-up loop's wait: woken by the first append that reaches `position`. */
  private appendWaiter: { readonly position: number; readonly wake: (appended: boolean) => void } | undefined;
  /** `appended` has completed (the log is closing) or the session stopped. */
  private appendsEnded = false;

  constructor(options: SubscriberSessionOptions) {
    this.ipAddress = options.ipAddress;
    this.subscriberId = options.subscriberId ?? '';
    this.log = options.log;
    this.socket = options.socket;
    this.compress = options.options.compress;
    this.settings = { ...DEFAULT_SESSION_SETTINGS, ...options.settings };
    this.metrics = options.metrics ?? noSubscriberMetrics;
    this.logger = options.logger ?? silentLogger;
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.eventsBehindFrom = options.eventsBehind ?? (() => 0);
    const rate = this.settings.maxEventsPerSecond;
    this.rateLimit = options.rateLimit ?? (Number.isFinite(rate) ? new TokenBucket(rate) : undefined);
    this.inboundMessages = new TokenBucket(this.settings.maxClientMessagesPerSecond);
    this.inboundBytes = new TokenBucket(this.settings.maxClientBytesPerSecond);
    this.rules = { filter: options.options.filter, maxMessageSizeBytes: options.options.maxMessageSizeBytes };
    this.pluginChain = chainPlugins(
      options.plugins ?? [],
      (event) => this.pluginOutput.push(event),
      options.onPluginFailure,
    );
    this.waitingForHello = options.options.requireHello;
    const head = this.log.headTimeUs();
    const cursor = options.options.cursor;
    this.position = cursor !== undefined && cursor <= head ? cursor : head + 1;
  }

  /** Starts the read loop and the slow-reader watch; resolves `finished` when the loop ends. */
  start(): void {
    if (this.finishedPromise || this.stopped) return;
    this.metrics.subscribersConnected.inc({ ip_address: this.ipAddress });
    this.watchForSlowReading();
    this.followAppends();
    this.finishedPromise = this.run().catch((error: unknown) => {
      // A bug or a failing collaborator ends this subscriber, never the process.
      this.logger.warn({ ip: this.ipAddress, error: String(error) }, 'subscriber session failed');
      this.closeWith(CLOSE_INTERNAL_ERROR, 'internal error', 'internal_error');
    });
  }

  /** Resolves once the read loop has ended (after `stop()` or a close by the session). */
  get finished(): Promise<void> {
    return this.finishedPromise ?? Promise.resolve();
  }

  /**
   * A message from the client: `options_update` is applied, a bad one closes, others are
   * ignored. Past `maxClientMessagesPerSecond` or `maxClientBytesPerSecond` the connection is
   * closed with 1008 before the message is read (a flood costs the server no parsing).
   */
  receive(message: Uint8Array | string, isBinary: boolean): void {
    if (this.stopped) return;
    const nowMs = this.scheduler.now();
    const bytes = typeof message === 'string' ? Buffer.byteLength(message) : message.length;
    if (!this.inboundMessages.tryTake(nowMs)) {
      return this.closeForFlood(`too many messages: more than ${this.settings.maxClientMessagesPerSecond} per second`);
    }
    if (!this.inboundBytes.tryTake(nowMs, bytes)) {
      return this.closeForFlood(`too many bytes sent: more than ${this.settings.maxClientBytesPerSecond} per second`);
    }
    if (isBinary) {
      this.logger.warn({ ip: this.ipAddress }, 'binary message from subscriber ignored');
      return;
    }
    const result = parseOptionsUpdate(message, { maxFilterBytes: this.settings.maxFilterBytes });
    switch (result.kind) {
      case 'ignored':
        this.logger.warn(
          { ip: this.ipAddress, type: result.messageType },
          'unexpected message type from subscriber ignored',
        );
        return;
      case 'close':
        this.logger.info(
          { ip: this.ipAddress, reason: result.detail },
          'closing subscriber: bad client message',
        );
        this.closeWith(
          result.code,
          result.reason,
          result.code === CLOSE_POLICY_VIOLATION ? 'invalid_options' : 'invalid_message',
        );
        return;
      case 'update':
        this.rules = { filter: result.filter, maxMessageSizeBytes: result.maxMessageSizeBytes };
        if (this.waitingForHello) {
          this.waitingForHello = false;
          this.hello$.next();
        }
    }
  }

  /**
   * Ends the session from outside with a close frame (the endpoint's ping rule): counted under
   * `metricReason` in `subscribersClosed`, then as `stop()`.
   */
  close(code: number, reason: string, metricReason: string): void {
    this.closeWith(code, reason, metricReason);
  }

  /** The connection is gone: ends the loop and the timers. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.reportDelivered();
    if (this.finishedPromise) {
      this.metrics.subscribersConnected.dec({ ip_address: this.ipAddress });
      this.metrics.subscriberLag?.remove(this.lagLabels());
    }
    for (const plugin of this.pluginChain) plugin.stop();
    this.stopped$.next();
    this.stopped$.complete();
  }

  /** How far behind the head the session is, and how much it has read. */
  progress(): ReaderProgress {
    return { eventsBehind: this.eventsBehindFrom(this.position), eventsRead: this.eventsRead };
  }

  private async run(): Promise<void> {
    if (this.waitingForHello) await this.until(this.hello$);
    while (!this.stopped) {
      let batch: readonly LoggedEvent[];
      try {
        batch = this.log.readFrom(this.position, this.settings.readBatchSize);
      } catch (error) {
        this.logger.warn(
          { ip: this.ipAddress, error: String(error), position: this.position },
          'failed to read the event log',
        );
        this.closeWith(CLOSE_INTERNAL_ERROR, 'failed to replay events', 'read_error');
        return;
      }
      if (batch.length === 0) {
        // Caught up: sleep until the head moves past the position.
        const appended = await this.nextAppendReaching(this.position);
        if (!appended && !this.stopped) {
          // The log completed `appended`: it is closing, and nothing more will come.
          this.closeWith(CLOSE_GOING_AWAY, 'server shutting down', 'log_closed');
        }
        continue;
      }
      await this.deliver(batch);
      this.reportDelivered();
      // A full batch means more is waiting; let other sessions and I/O run before reading it.
      if (batch.length === this.settings.readBatchSize) await yieldToEventLoop();
    }
  }

  private async deliver(batch: readonly LoggedEvent[]): Promise<void> {
    // One clock read per run of sends without a wait: they take well under a millisecond, and
    // a clock that lags only delays the bucket's refill (never exceeds the rate).
    let nowMs = this.scheduler.now();
    for (const event of batch) {
      if (this.stopped) return;
      this.position = event.time_us + 1;
      this.eventsRead++;
      const rules = this.rules;
      if (!matchesFilter(rules.filter, event)) continue;
      for (const outgoing of this.throughPlugins(event)) {
        // `maxMessageSizeBytes` compares the bytes sent: the zstd size for compressed subscribers, as v1.
        const bytes = this.compress ? outgoing.zstd : outgoing.json;
        if (rules.maxMessageSizeBytes > 0 && bytes.length > rules.maxMessageSizeBytes) continue;
        const waitMs = this.rateLimit?.take(nowMs) ?? 0;
        if (waitMs > 0) {
          this.reportDelivered();
          await this.until(timer(waitMs, this.scheduler));
          if (this.stopped) return;
          nowMs = this.scheduler.now();
        }
        const backpressure = this.socket.send(bytes, this.compress);
        this.unreportedEvents++;
        this.unreportedBytes += bytes.length;
        if (backpressure) {
          this.reportDelivered();
          // A failed send shows up as the connection closing; here it only ends the wait.
          await this.until(from(backpressure.catch(() => undefined)));
          nowMs = this.scheduler.now();
        }
      }
    }
  }

  /** The events to send for one the filter let through: itself, or what the plugins made of it. */
  private throughPlugins(event: LoggedEvent): readonly LoggedEvent[] {
    const first = this.pluginChain[0];
    if (first === undefined) {
      this.unchanged[0] = event;
      return this.unchanged;
    }
    this.pluginOutput.length = 0;
    first.push(event);
    return this.pluginOutput;
  }

  /**
   * One subscription to `appended` for the session's life, rather than one per wait: a
   * caught-up session waits ~50 times a second, and N sessions each making and tearing down
   * a subscription per wait were a visible share of fan-out's CPU.
   */
  private followAppends(): void {
    const endWait = (appended: boolean) => {
      const waiter = this.appendWaiter;
      this.appendWaiter = undefined;
      waiter?.wake(appended);
    };
    this.log.appended.pipe(takeUntil(this.stopped$)).subscribe({
      next: (head) => {
        if (this.appendWaiter && head >= this.appendWaiter.position) endWait(true);
      },
      complete: () => {
        this.appendsEnded = true;
        endWait(false);
      },
    });
  }

  /** Resolves true at the first append whose head reaches `position`; false once appends end or the session stops. */
  private nextAppendReaching(position: number): Promise<boolean> {
    if (this.appendsEnded) return Promise.resolve(false);
    return new Promise((wake) => (this.appendWaiter = { position, wake }));
  }

  private watchForSlowReading(): void {
    const policy = this.settings.slowReader;
    interval(this.settings.sampleIntervalMs, this.scheduler)
      .pipe(
        map(() => this.progress()),
        tap((progress) => this.reportLag(progress)),
        detectSlowReader(policy, this.scheduler),
        takeUntil(this.stopped$),
      )
      .subscribe((verdict) => {
        const reason =
          `consumer too slow: more than ${policy.maxEventsBehind} events behind, ` +
          `reading ${verdict.eventsPerSecond.toFixed(1)} events/s for ${Math.round(verdict.forMs / 1000)} s`;
        this.logger.info({ ip: this.ipAddress, ...verdict }, 'closing subscriber: too slow');
        this.closeWith(CLOSE_POLICY_VIOLATION, reason, 'slow');
      });
  }

  private reportLag(progress: ReaderProgress): void {
    this.metrics.subscriberLagEvents?.observe(progress.eventsBehind);
    if (!this.metrics.subscriberLag) return;
    // The position is the next time_us to read: at head + 1 the session is caught up.
    const lagUs = Math.max(0, this.log.headTimeUs() - this.position + 1);
    this.metrics.subscriberLag.set(this.lagLabels(), lagUs / 1e6);
  }

  private lagLabels(): SubscriberLabels {
    return { subscriber: this.subscriberId, ip_address: this.ipAddress };
  }

  private closeForFlood(reason: string): void {
    this.logger.info({ ip: this.ipAddress, subscriber: this.subscriberId, reason }, 'closing subscriber: inbound flood');
    this.closeWith(CLOSE_POLICY_VIOLATION, reason, INBOUND_FLOOD);
  }

  private closeWith(code: number, reason: string, metricReason: string): void {
    if (this.stopped) return;
    this.metrics.subscribersClosed?.inc({ reason: metricReason });
    this.socket.close(code, reason);
    this.stop();
  }

  private reportDelivered(): void {
    if (this.unreportedEvents === 0) return;
    const labels = { ip_address: this.ipAddress };
    this.metrics.eventsDelivered.inc(labels, this.unreportedEvents);
    this.metrics.bytesDelivered.inc(labels, this.unreportedBytes);
    this.unreportedEvents = 0;
    this.unreportedBytes = 0;
  }

  /**
   * Waits for the first value of `signal`, or for the session to stop, whichever is first.
   * Resolves true when `signal` gave a value, false when it completed empty or the session stopped.
   */
  private async until(signal: Observable<unknown>): Promise<boolean> {
    if (this.stopped) return false;
    const first = race(signal.pipe(map(() => true)), this.stopped$.pipe(map(() => false)));
    return firstValueFrom(first, { defaultValue: false });
  }
}

/** Contained operators in plugin order, each feeding the next, the last feeding `emit`. */
function chainPlugins(
  plugins: readonly SessionPluginOperator[],
  emit: (event: LoggedEvent) => void,
  onFailure: PluginFailureHandler = () => undefined,
): ContainedOperator<LoggedEvent>[] {
  const chain: ContainedOperator<LoggedEvent>[] = [];
  for (const { plugin, operator } of [...plugins].reverse()) {
    const downstream = chain[0];
    const contained = new ContainedOperator(
      operator,
      downstream ? (event) => downstream.push(event) : emit,
      (error) => onFailure({ plugin, stage: 'subscriber', error }),
    );
    chain.unshift(contained);
  }
  return chain;
}
