import WebSocket from 'ws';

/** What a relay connection reports. Exactly one of `close`/`error` ends it (error may precede close). */
export interface RelaySocketHandlers {
  open(): void;
  message(data: Uint8Array, isBinary: boolean): void;
  pong(): void;
  close(code: number, reason: string): void;
  error(error: Error): void;
}

/** One connection attempt to the relay. */
export interface RelaySocket {
  ping(): void;
  /** Drops the connection at once; no handler is called afterwards. */
  terminate(): void;
}

/** Opens a connection to `url`, reporting to `handlers`. Injected in tests. */
export type RelaySocketFactory = (url: string, handlers: RelaySocketHandlers) => RelaySocket;

/** v1 dials with gorilla's default dialer: a 45 s handshake timeout. */
const HANDSHAKE_TIMEOUT_MS = 45_000;

/**
 * The default {@link RelaySocketFactory}: a `ws` client. Relay pings are answered by `ws`
 * itself; per-message deflate is off (relays do not use it and it costs CPU).
 *
 * @example
 * import { wsRelaySocket } from '@jetstream-ts/upstream';
 *
 * // handlers: RelaySocketHandlers (open, message, pong, close, error)
 * const socket = wsRelaySocket('ws://127.0.0.1:2470/xrpc/com.atproto.sync.subscribeRepos', handlers);
 *
 * @param url The URL to dial.
 * @param handlers Callbacks for the connection's events.
 * @return A handle to ping or terminate the connection.
 */
export function wsRelaySocket(url: string, handlers: RelaySocketHandlers): RelaySocket {
  const ws = new WebSocket(url, { handshakeTimeout: HANDSHAKE_TIMEOUT_MS, perMessageDeflate: false });
  let ended = false;
  const guard =
    <A extends unknown[]>(handler: (...args: A) => void) =>
    (...args: A) => {
      if (!ended) handler(...args);
    };
  ws.on('open', guard(() => handlers.open()));
  ws.on(
    'message',
    guard((data: WebSocket.RawData, isBinary: boolean) => handlers.message(toBytes(data), isBinary)),
  );
  ws.on('pong', guard(() => handlers.pong()));
  ws.on(
    'error',
    guard((error: Error) => {
      ended = true;
      handlers.error(error);
    }),
  );
  ws.on(
    'close',
    guard((code: number, reason: Buffer) => {
      ended = true;
      handlers.close(code, reason.toString('utf8'));
    }),
  );
  return {
    ping: () => {
      if (ws.readyState === WebSocket.OPEN) ws.ping();
    },
    terminate: () => {
      ended = true;
      ws.terminate();
    },
  };
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
