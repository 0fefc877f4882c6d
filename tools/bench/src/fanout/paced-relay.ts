import type { AddressInfo } from 'node:net';
import { SUBSCRIBE_REPOS_PATH } from '@jetstream-ts/fake-relay';
import { WebSocketServer, type WebSocket } from 'ws';
import { monotonicMs } from './load-generator-protocol.js';

/** What one `play` did. */
export interface PlayResult {
  frames: number;
  /** From the first send to the last. */
  elapsedMs: number;
  /** Most bytes the consumer's socket held unread: high when the server reads too slowly. */
  maxBufferedBytes: number;
}

export interface PlayOptions {
  /** Run frame `n` of this play is `frame(start + n)`. */
  frame: (n: number) => Uint8Array;
  start: number;
  count: number;
  /** Frames per second. */
  rate: number;
  /** Send times (monotonic ms) of the frames just sent, by index within the play; called about every 20 ms. */
  onSent?: (frames: number[], times: number[]) => void;
}

/** Sends per timer turn at most this many frames, so a late timer does not burst a whole second. */
const MAX_BURST = 200;
const REPORT_EVERY_MS = 20;

/**
 * The benchmark's relay: a `subscribeRepos` endpoint on loopback that sends frames to the
 * consumer (the server under test) only when told, at a steady rate, stamping each frame's send
 * time (the start of every latency the benchmark reports). Unlike `@jetstream-ts/fake-relay`,
 * which replays a log per connection from the moment it connects, it plays separate bursts at
 * chosen rates to whichever consumer is connected now.
 */
export class PacedRelay {
  readonly #server: WebSocketServer;
  #consumer: WebSocket | undefined;
  #connections = 0;
  #consumerWaiters: (() => void)[] = [];

  private constructor(server: WebSocketServer) {
    this.#server = server;
    server.on('connection', (socket) => {
      this.#consumer?.terminate();
      this.#consumer = socket;
      this.#connections++;
      socket.on('error', () => socket.terminate());
      socket.on('close', () => {
        if (this.#consumer === socket) this.#consumer = undefined;
      });
      for (const wake of this.#consumerWaiters.splice(0)) wake();
    });
  }

  static async start(): Promise<PacedRelay> {
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      path: SUBSCRIBE_REPOS_PATH,
      perMessageDeflate: false,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    return new PacedRelay(server);
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `ws://127.0.0.1:${port}${SUBSCRIBE_REPOS_PATH}`;
  }

  /** Consumer connections accepted so far. */
  get connectionCount(): number {
    return this.#connections;
  }

  /**
   * Resolves when a consumer is connected whose connection came after the first
   * `afterConnections` (at once if it already is); rejects after `timeoutMs`.
   */
  waitForConsumer(timeoutMs: number, afterConnections = 0): Promise<void> {
    if (this.#consumer && this.#connections > afterConnections) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no consumer connected to the relay within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#consumerWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Sends `count` frames at `rate` per second to the current consumer. */
  async play(options: PlayOptions): Promise<PlayResult> {
    const { frame, start, count, rate, onSent } = options;
    const consumer = this.#consumer;
    if (!consumer) throw new Error('no consumer connected to the relay');
    let sent = 0;
    let maxBufferedBytes = 0;
    let reported = { frames: [] as number[], times: [] as number[], atMs: monotonicMs() };
    const startedAtMs = monotonicMs();
    let lastSentAtMs = startedAtMs;
    while (sent < count) {
      if (consumer.readyState !== consumer.OPEN)
        throw new Error(`the relay's consumer disconnected after ${sent} of ${count} frames`);
      const due = Math.min(
        count,
        Math.floor(((monotonicMs() - startedAtMs) * rate) / 1000) + 1,
        sent + MAX_BURST,
      );
      for (; sent < due; sent++) {
        const bytes = frame(start + sent);
        lastSentAtMs = monotonicMs();
        consumer.send(bytes, { binary: true });
        reported.frames.push(sent);
        reported.times.push(lastSentAtMs);
      }
      maxBufferedBytes = Math.max(maxBufferedBytes, consumer.bufferedAmount);
      if (onSent && (lastSentAtMs - reported.atMs >= REPORT_EVERY_MS || sent === count)) {
        onSent(reported.frames, reported.times);
        reported = { frames: [], times: [], atMs: lastSentAtMs };
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return { frames: count, elapsedMs: lastSentAtMs - startedAtMs, maxBufferedBytes };
  }

  async close(): Promise<void> {
    this.#consumer?.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
