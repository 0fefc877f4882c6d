import { asyncScheduler, Observable, type SchedulerAction, type SchedulerLike, Subscription } from 'rxjs';
import { backoffDelay, type BackoffOptions, DEFAULT_BACKOFF } from './backoff.js';
import { readRelayErrorFrame } from './relay-error-frame.js';
import { type RelaySocket, type RelaySocketFactory, wsRelaySocket } from './relay-socket.js';
import { relayUrlWithCursor } from './relay-url.js';
import type { DisconnectReason, UpstreamStatus } from './upstream-status.js';

export interface RelayFramesOptions {
  /** The relay's `com.atproto.sync.subscribeRepos` URL (`--ws-url`). */
  wsUrl: string;
  /**
   * The last relay seq already processed, read at every (re)connect so each connection resumes
   * exactly after it; undefined or negative means live. The server passes its ingest position.
   */
  cursor?: () => number | undefined;
  /** Reconnect when no frame arrived for this many ms (`--liveness-ttl`); 0 disables. Default 15,000. */
  livenessTtl?: number;
  /** Keepalive ping period in ms; a ping unanswered when the next is due drops the connection. Default 30,000. */
  pingInterval?: number;
  /** Reconnect backoff. */
  backoff?: BackoffOptions;
  /** Receives connection status changes (for logs and metrics). */
  onStatus?: (status: UpstreamStatus) => void;
  /** Opens relay connections; the `ws` client by default. */
  socketFactory?: RelaySocketFactory;
  /** Schedules timers (liveness, pings, backoff); `asyncScheduler` by default. */
  scheduler?: SchedulerLike;
  /** Uniform [0, 1) source for backoff jitter. */
  random?: () => number;
}

/** The relay says our cursor is ahead of its sequence: its history was reset, or it is another relay. */
const FUTURE_CURSOR = 'FutureCursor';

/**
 * The relay's `subscribeRepos` frames, as raw bytes, for as long as you subscribe: the source
 * reconnects on its own instead of ending.
 *
 * Every connection starts from `cursor()` (v1 rule: the query string is replaced by
 * `cursor=<n>`, see {@link relayUrlWithCursor}). A closed or failed connection is retried after
 * an exponential backoff with jitter (1 s doubling to 30 s by default), reset once a connection
 * stayed up for `backoff.resetAfter`. A connection that delivers no frame for `livenessTtl`, or
 * leaves a keepalive ping unanswered, is dropped and retried the same way (v1 killed the
 * process instead). Non-binary messages are ignored (reported once per connection).
 *
 * Error frames are not emitted, and no error ever discards the cursor: every error frame
 * (`ConsumerTooSlow`, ...) reconnects from `cursor()` after the backoff. `FutureCursor` (the
 * relay's sequence is behind our cursor: its history was reset, a spurious answer, or another
 * relay) is reported as `cursor-rejected` and retried from the same cursor with the growing
 * backoff: going live instead would silently skip every event in between, and on a real relay
 * a spurious `FutureCursor` passes. Only the operator can decide that the history is gone
 * (`--override-relay-cursor`). The first frame of each connection is reported as `streaming`,
 * so a status reader knows when frames flow again.
 *
 * @example
 * import { decodeFrames } from '@jetstream-ts/frames';
 * import { relayFrames } from '@jetstream-ts/upstream';
 *
 * // store: an EventLog; logger: a pino logger
 * relayFrames({
 *   wsUrl: 'wss://bsky.network/xrpc/com.atproto.sync.subscribeRepos',
 *   cursor: () => store.relayCursor(),
 *   onStatus: (status) => logger.info(status, 'upstream'),
 * }).pipe(decodeFrames()).subscribe((frame) => console.log(frame.type));
 *
 * @param options The relay URL, cursor source, timings and collaborators.
 * @return A never-completing Observable of frames.
 */
export function relayFrames(options: RelayFramesOptions): Observable<Uint8Array> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const openSocket = options.socketFactory ?? wsRelaySocket;
  const livenessTtl = options.livenessTtl ?? 15_000;
  const pingInterval = options.pingInterval ?? 30_000;
  const resetAfter = options.backoff?.resetAfter ?? DEFAULT_BACKOFF.resetAfter;
  const report = options.onStatus ?? (() => undefined);

  return new Observable<Uint8Array>((subscriber) => {
    // Per subscription: the retry count.
    let failedAttempts = 0;
    let connection: { socket?: RelaySocket; timers: Subscription } | undefined;
    let reconnect: Subscription | undefined;

    const connect = () => {
      const saved = options.cursor?.();
      const cursor = saved !== undefined && saved >= 0 ? saved : undefined;
      const url = relayUrlWithCursor(options.wsUrl, cursor);
      report(cursor === undefined ? { type: 'connecting', url } : { type: 'connecting', url, cursor });

      const timers = new Subscription();
      const current: { socket?: RelaySocket; timers: Subscription } = { timers };
      connection = current;
      let openedAt: number | undefined;
      let lastFrameAt = scheduler.now();
      let awaitingPong = false;
      let ignoredReported = false;
      let streaming = false;

      /** Ends this connection and schedules the next; returns the delay (undefined if already dropped). */
      const drop = (reason: DisconnectReason, detail?: string): number | undefined => {
        if (connection !== current) return undefined;
        current.socket?.terminate();
        timers.unsubscribe();
        connection = undefined;
        const healthy = openedAt !== undefined && scheduler.now() - openedAt >= resetAfter;
        if (healthy) failedAttempts = 0;
        const retryInMs = backoffDelay(failedAttempts++, options.backoff, options.random);
        report(detail === undefined ? { type: 'disconnected', reason, retryInMs } : { type: 'disconnected', reason, detail, retryInMs });
        reconnect = scheduler.schedule(connect, retryInMs);
        return retryInMs;
      };

      // Checks lazily: one timer per TTL rather than one reset per frame.
      const checkLiveness = (due: number) =>
        timers.add(
          scheduler.schedule(() => {
            const idle = scheduler.now() - lastFrameAt;
            if (idle >= livenessTtl) drop('liveness', `no frame for ${idle} ms`);
            else checkLiveness(livenessTtl - idle);
          }, due),
        );

      current.socket = openSocket(url, {
        open: () => {
          openedAt = scheduler.now();
          report({ type: 'connected', url });
          if (pingInterval > 0) {
            timers.add(
              scheduler.schedule(function (this: SchedulerAction<unknown>) {
                if (awaitingPong) return drop('ping-timeout', `no pong within ${pingInterval} ms`);
                awaitingPong = true;
                current.socket?.ping();
                this.schedule(undefined, pingInterval);
              }, pingInterval),
            );
          }
        },
        message: (data, isBinary) => {
          lastFrameAt = scheduler.now();
          if (!isBinary) {
            if (!ignoredReported) report({ type: 'ignored-message', detail: 'expected binary message from subscription endpoint' });
            ignoredReported = true;
            return;
          }
          const relayError = readRelayErrorFrame(data);
          if (relayError === undefined) {
            if (!streaming) report({ type: 'streaming', url });
            streaming = true;
            return subscriber.next(data);
          }
          if (relayError.error !== FUTURE_CURSOR || cursor === undefined) {
            report({ type: 'relay-error', ...relayError });
            drop('relay-error', relayError.error);
            return;
          }
          const retryInMs = drop('relay-error', relayError.error);
          if (retryInMs !== undefined) report({ type: 'cursor-rejected', cursor, ...relayError, retryInMs });
        },
        pong: () => {
          awaitingPong = false;
        },
        close: (code, reason) => drop('closed', reason === '' ? `code ${code}` : `code ${code}: ${reason}`),
        error: (error) => drop('error', error.message),
      });
      if (livenessTtl > 0) checkLiveness(livenessTtl);
    };

    connect();
    return () => {
      reconnect?.unsubscribe();
      connection?.timers.unsubscribe();
      connection?.socket?.terminate();
      connection = undefined;
    };
  });
}
