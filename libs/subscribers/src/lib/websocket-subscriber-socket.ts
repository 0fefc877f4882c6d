import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { SubscriberSocket } from './subscriber-session.js';
import { WebSocketFrameBatch } from './websocket-frame-batch.js';

/**
 * A `ws` WebSocket (server side) as a session's socket. The messages a session sends during
 * one event-loop turn are framed into one buffer (`WebSocketFrameBatch`) and written to the
 * TCP socket once at the end of the turn, bypassing `ws`'s per-message sender (a header,
 * a write request and a callback per message were most of the cost of fan-out).
 *
 * Backpressure: once the bytes framed plus those the TCP socket still holds exceed
 * `highWaterMark`, `send` writes the batch now and returns a promise that resolves when that
 * write has been handed to the kernel; the session waits for it. Once the connection is
 * closing, nothing more is written (no data after a close frame) and `send` returns a promise
 * that resolves when it is closed, so the session waits instead of spinning. `close` writes
 * what is batched before the close frame. Pings, pongs and close frames still go through `ws`.
 *
 * @example
 * import { SubscriberSession, webSocketSubscriberSocket } from '@jetstream-ts/subscribers';
 *
 * // webSocketServer: a ws WebSocketServer; log, options (parseSubscribeRequest), ipAddress: the caller's
 * webSocketServer.on('connection', (webSocket) => {
 *   const socket = webSocketSubscriberSocket(webSocket, 64 * 1024);
 *   new SubscriberSession({ log, socket, options, ipAddress }).start();
 * });
 * @param webSocket An open server-side `ws` WebSocket without permessage-deflate.
 * @param highWaterMark Bytes queued (batched and in the TCP socket) above which `send` asks to wait.
 * @return The session's view of the connection.
 */
export function webSocketSubscriberSocket(webSocket: WebSocket, highWaterMark: number): SubscriberSocket {
  const closed = new Promise<void>((resolve) => webSocket.once('close', () => resolve()));
  // ws exposes no way to write prepared frames; its TCP socket is the (stable, if private) `_socket`.
  const tcp = (webSocket as unknown as { _socket: Duplex })._socket;
  const batch = new WebSocketFrameBatch();
  let flushScheduled = false;

  /** Writes the batch unless the connection is closing; returns whether it wrote. */
  const flush = (onWritten?: () => void): boolean => {
    flushScheduled = false;
    if (batch.isEmpty) return false;
    const frames = batch.take();
    if (webSocket.readyState !== WebSocket.OPEN) return false;
    tcp.write(frames, onWritten);
    return true;
  };
  const flushAtEndOfTurn = () => flush();

  return {
    send(data, binary) {
      if (webSocket.readyState !== WebSocket.OPEN) return closed;
      batch.add(data, binary);
      if (!flushScheduled) {
        flushScheduled = true;
        process.nextTick(flushAtEndOfTurn);
      }
      if (batch.byteLength + tcp.writableLength <= highWaterMark) return undefined;
      // A failed write shows up as the connection closing: the callback only ends the wait.
      return new Promise<void>((resolve) => {
        if (!flush(() => resolve())) resolve();
      });
    },
    close(code, reason) {
      flush();
      webSocket.close(code, reason);
    },
  };
}
