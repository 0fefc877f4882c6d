/** How a connection ended: closed by a close frame, failed (refused, reset), or refused by HTTP. */
export type SocketEnd =
  | { type: 'closed'; code: number; reason: string }
  | { type: 'failed'; error: string }
  | { type: 'rejected'; status: number; body: string };

/** What a connection reports. `ended` comes once, last; nothing follows it. */
export interface SocketHandlers {
  open(): void;
  message(data: Uint8Array | string, isBinary: boolean): void;
  /** The server pinged: the connection is alive even when no event passes the filter. */
  alive(): void;
  ended(end: SocketEnd): void;
}

/** One connection to a Jetstream server. */
export interface ClientSocket {
  send(text: string): void;
  /** Stops reading the socket (TCP backpressure); false when this WebSocket cannot. */
  pause(): boolean;
  resume(): void;
  /** Closes with a close frame (1000); no handler is called afterwards. */
  close(): void;
  /** Whether `alive` reports server pings (else a quiet filtered stream cannot be told from a dead one). */
  readonly reportsPings: boolean;
}

/** Opens a connection to `url`. Injected in tests; {@link defaultSocketOpener} otherwise. */
export type SocketOpener = (url: string, handlers: SocketHandlers) => ClientSocket;

/** The part of the WHATWG WebSocket API this client uses (browsers, Deno, Bun, Node >= 22). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructorLike = new (url: string) => WebSocketLike;

/** Calls `handlers` until the connection ended or was closed by us. */
function guarded(handlers: SocketHandlers): SocketHandlers & { stop(): void } {
  let done = false;
  return {
    open: () => !done && handlers.open(),
    message: (data, isBinary) => !done && handlers.message(data, isBinary),
    alive: () => !done && handlers.alive(),
    ended: (end) => {
      if (done) return;
      done = true;
      handlers.ended(end);
    },
    stop: () => (done = true),
  };
}

/**
 * A {@link SocketOpener} over a WHATWG WebSocket constructor (the global one by default). It
 * cannot pause reading, see server pings, or read the HTTP status of a refused upgrade.
 *
 * @example
 * import { jetstream, webSocketOpener } from '@jetstream-ts/client';
 *
 * const url = 'wss://jetstream.example';
 * jetstream({ url, socket: webSocketOpener(globalThis.WebSocket) });
 */
export function webSocketOpener(WebSocketClass: WebSocketConstructorLike): SocketOpener {
  return (url, handlers) => {
    const events = guarded(handlers);
    const socket = new WebSocketClass(url);
    socket.binaryType = 'arraybuffer';
    let failed = false;
    socket.onopen = () => events.open();
    socket.onmessage = ({ data }) =>
      typeof data === 'string' ? events.message(data, false) : events.message(new Uint8Array(data as ArrayBuffer), true);
    socket.onerror = () => (failed = true);
    socket.onclose = ({ code, reason }) =>
      events.ended(failed && code === 1006 ? { type: 'failed', error: `connection to ${url} failed` } : { type: 'closed', code, reason });
    return {
      send: (text) => socket.send(text),
      pause: () => false,
      resume: () => undefined,
      reportsPings: false,
      close: () => {
        events.stop();
        socket.close(1000);
      },
    };
  };
}

type WsModule = typeof import('ws');

/** Reads at most this much of a refused upgrade's body (v1's 400s are one line). */
const MAX_REJECTION_BODY = 4096;

/**
 * A {@link SocketOpener} over the `ws` package: pauses the socket for backpressure, answers and
 * reports pings, and turns an HTTP response to the upgrade (v1's 400 for a bad filter or cursor)
 * into a `rejected` end with the server's text.
 */
export function wsOpener(ws: WsModule): SocketOpener {
  return (url, handlers) => {
    const events = guarded(handlers);
    const socket = new ws.WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 30_000 });
    socket.on('open', () => events.open());
    socket.on('message', (data: Buffer, isBinary: boolean) => events.message(data, isBinary));
    socket.on('ping', () => events.alive());
    socket.on('unexpected-response', (request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body = (body + chunk).slice(0, MAX_REJECTION_BODY)));
      response.on('end', () => {
        events.ended({ type: 'rejected', status: response.statusCode ?? 0, body: body.trim() });
        request.destroy();
      });
    });
    socket.on('error', (error: Error) => events.ended({ type: 'failed', error: error.message }));
    socket.on('close', (code: number, reason: Buffer) => events.ended({ type: 'closed', code, reason: reason.toString('utf8') }));
    return {
      send: (text) => socket.send(text),
      pause: () => {
        socket.pause();
        return true;
      },
      resume: () => socket.resume(),
      reportsPings: true,
      close: () => {
        events.stop();
        // Errors after we let go (a socket closed while connecting) have nobody to go to.
        socket.on('error', () => undefined);
        if (socket.readyState === socket.OPEN) socket.close(1000);
        else socket.terminate();
      },
    };
  };
}

/**
 * The opener a plain `jetstream({ url })` uses: `ws` on Node (it comes with this package),
 * the global WebSocket elsewhere.
 */
export async function defaultSocketOpener(): Promise<SocketOpener> {
  const onNode = typeof process !== 'undefined' && process.versions?.node !== undefined;
  if (onNode) return wsOpener(await import('ws'));
  const global = (globalThis as { WebSocket?: WebSocketConstructorLike }).WebSocket;
  if (global === undefined) throw new Error('no WebSocket here: pass `socket: webSocketOpener(YourWebSocket)`');
  return webSocketOpener(global);
}
