import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import { RelayTimeline } from './relay-timeline.js';
import {
  assertValidFaults,
  corruptFrame,
  errorFrame,
  truncatedFrame,
  type RelayFault,
} from './relay-faults.js';

/** The XRPC path a relay serves its firehose on. */
export const SUBSCRIBE_REPOS_PATH = '/xrpc/com.atproto.sync.subscribeRepos';

export interface FakeRelayOptions {
  /** The frames to serve, in order (e.g. a parsed frame log). */
  frames: readonly Uint8Array[];
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Frames per second per connection. Default: as fast as the client reads. */
  rate?: number;
  /** Times the frames are played; later passes get new seqs (see `RelayTimeline`). Default 1. */
  loop?: number;
  /** Faults injected into each connection (see `RelayFault`). */
  faults?: readonly RelayFault[];
  /** Bytes queued on a connection before the relay waits for it to drain. Default 1 MiB. */
  highWaterMark?: number;
}

/** What the relay knows about one client connection (a live view, updated as it runs). */
export interface RelayConnection {
  /** 1 for the first connection, then 2, 3, … */
  readonly id: number;
  /** The `cursor` query parameter, or undefined for a live connection. */
  readonly cursor: number | undefined;
  /** Frames of the log sent so far (injected error and corrupt frames not counted). */
  readonly sent: number;
  /** Seq of the last frame sent, if it carried one. */
  readonly lastSeq: number | undefined;
  readonly open: boolean;
}

export interface FakeRelay {
  /** The firehose URL, e.g. `ws://127.0.0.1:41234/xrpc/com.atproto.sync.subscribeRepos`. */
  readonly url: string;
  readonly port: number;
  /** Every connection accepted so far, in order. */
  readonly connections: readonly RelayConnection[];
  /** Seq of the newest frame the relay holds (what a client is up to date with). */
  readonly lastSeq: number | undefined;
  /** Adds frames to the end of the log; connections that had sent everything send them at once. */
  append(frames: readonly Uint8Array[]): void;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

const YIELD_EVERY_FRAMES = 256;

interface MutableConnection {
  id: number;
  cursor: number | undefined;
  sent: number;
  lastSeq: number | undefined;
  open: boolean;
}

/**
 * Starts a fake AT Protocol relay serving `com.atproto.sync.subscribeRepos` over WebSocket.
 *
 * Cursor semantics follow the relay's: `?cursor=N` sends the frames with seq > N, then waits
 * for more; a cursor beyond the newest seq gets a `FutureCursor` error frame and a close; a
 * cursor that is not a non-negative integer gets HTTP 400. A connection without a cursor is
 * "live from now", and for a replayed log now is the beginning: it gets every frame. Each
 * connection reads at its own pace (the relay waits when the socket's buffer is full) unless
 * `rate` paces it. Other paths get HTTP 404.
 *
 * @example
 * import { readFileSync } from 'node:fs';
 * import { startFakeRelay } from '@jetstream-ts/fake-relay';
 * import { parseFrameLog } from '@jetstream-ts/frames';
 * import { WebSocket } from 'ws';
 *
 * const relay = await startFakeRelay({ frames: parseFrameLog(readFileSync('capture.log')).frames });
 * const socket = new WebSocket(`${relay.url}?cursor=0`);
 * // … later
 * await relay.close();
 */
export async function startFakeRelay(options: FakeRelayOptions): Promise<FakeRelay> {
  const { host = '127.0.0.1', port = 0, rate, loop = 1, faults = [], highWaterMark = 1024 * 1024 } = options;
  if (rate !== undefined && !(rate > 0)) throw new RangeError(`rate must be positive, got ${rate}`);
  assertValidFaults(faults);
  const timeline = new RelayTimeline(options.frames, loop);
  const connections: MutableConnection[] = [];
  const sockets = new Set<WebSocket>();
  const shutdown = new AbortController();

  const server = createServer((_request, response) => {
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: 'NotFound', message: 'only subscribeRepos is served here' }));
  });
  const websockets = new WebSocketServer({ noServer: true });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const requestUrl = new URL(request.url ?? '/', 'ws://relay');
    if (requestUrl.pathname !== SUBSCRIBE_REPOS_PATH) return rejectUpgrade(socket, 404, 'Not Found');
    const cursorParam = requestUrl.searchParams.get('cursor');
    if (cursorParam !== null && !/^\d+$/.test(cursorParam)) return rejectUpgrade(socket, 400, 'Bad Request');
    websockets.handleUpgrade(request, socket, head, (websocket) => {
      const connection: MutableConnection = {
        id: connections.length + 1,
        cursor: cursorParam === null ? undefined : Number(cursorParam),
        sent: 0,
        lastSeq: undefined,
        open: true,
      };
      connections.push(connection);
      sockets.add(websocket);
      const closed = new AbortController();
      const stop = () => closed.abort();
      shutdown.signal.addEventListener('abort', stop);
      websocket.on('close', () => {
        connection.open = false;
        sockets.delete(websocket);
        shutdown.signal.removeEventListener('abort', stop);
        stop();
      });
      websocket.on('error', () => websocket.terminate());
      const applicable = faults.filter(
        (fault) => fault.connections === undefined || connection.id <= fault.connections,
      );
      serveConnection({
        websocket,
        connection,
        timeline,
        faults: applicable,
        rate,
        highWaterMark,
        signal: closed.signal,
      }).catch(() => websocket.terminate());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.address.includes(':') ? `[${address.address}]` : address.address;

  return {
    url: `ws://${urlHost}:${address.port}${SUBSCRIBE_REPOS_PATH}`,
    port: address.port,
    connections,
    get lastSeq() {
      return timeline.lastSeq;
    },
    append: (frames) => timeline.append(frames),
    close: async () => {
      shutdown.abort();
      for (const websocket of sockets) websocket.terminate();
      websockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  // Node's server no longer handles the errors of a socket it emitted 'upgrade' for.
  socket.on('error', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

interface ServeContext {
  websocket: WebSocket;
  connection: MutableConnection;
  timeline: RelayTimeline;
  faults: readonly RelayFault[];
  rate: number | undefined;
  highWaterMark: number;
  signal: AbortSignal;
}

/** Sends one connection its frames until it closes, injecting its faults on the way. */
async function serveConnection(context: ServeContext): Promise<void> {
  const { websocket, connection, timeline, rate, highWaterMark, signal } = context;
  const pending = [...context.faults].sort((a, b) => a.after - b.after);
  const send = (bytes: Uint8Array) => {
    const written = new Promise<void>((resolve) => websocket.send(bytes, { binary: true }, () => resolve()));
    return websocket.bufferedAmount >= highWaterMark ? written : undefined;
  };

  const lastSeq = timeline.lastSeq;
  if (connection.cursor !== undefined && lastSeq !== undefined && connection.cursor > lastSeq) {
    await send(errorFrame('FutureCursor', 'Cursor in the future.'));
    websocket.close(1000);
    return;
  }
  let index = connection.cursor === undefined ? 0 : timeline.indexAfter(connection.cursor);
  let truncateNext = false;
  const startedAt = performance.now();

  while (!signal.aborted) {
    while (pending.length > 0 && pending[0].after === connection.sent) {
      const fault = pending.shift() as RelayFault;
      switch (fault.kind) {
        case 'stall':
          return;
        case 'disconnect':
          websocket.terminate();
          return;
        case 'error':
          await send(errorFrame(fault.error, fault.message));
          websocket.close(1000);
          return;
        case 'corrupt':
          await send(corruptFrame());
          break;
        case 'truncate':
          truncateNext = true;
          break;
      }
    }
    if (index >= timeline.length) {
      await timeline.waitForMore(index, signal);
      continue;
    }
    if (rate !== undefined) {
      const dueAt = startedAt + (connection.sent / rate) * 1000;
      const wait = dueAt - performance.now();
      if (wait > 0 && !(await sleepUnlessAborted(wait, signal))) return;
    }
    const frame = timeline.frameAt(index);
    connection.lastSeq = timeline.seqAt(index) ?? connection.lastSeq;
    index++;
    connection.sent++;
    await send(truncateNext ? truncatedFrame(frame) : frame);
    truncateNext = false;
    // A fast reader never fills the buffer: yield now and then so other connections get a turn.
    if (connection.sent % YIELD_EVERY_FRAMES === 0) await nextTurn();
  }
}

/** Waits `ms`; false when `signal` aborted first. */
async function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
