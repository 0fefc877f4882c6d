import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketFrameReader } from './websocket-frame-reader.js';

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OPCODE_CLOSE = 0x8;
const OPCODE_PONG = 0xa;

/** A receive-only WebSocket client connection (see `openLeanWebSocket`). */
export interface LeanWebSocket {
  /** Closes the connection at once; resolves when the socket is closed. */
  terminate(): Promise<void>;
}

export interface LeanWebSocketHandlers {
  message(data: Buffer, isBinary: boolean): void;
  /** The connection ended (server close, protocol error, or `terminate`), once. */
  close(): void;
}

/**
 * Opens a WebSocket to `url` (ws://) for a subscriber that only receives: the frames are read by
 * `WebSocketFrameReader`, pings are answered, a close frame is answered and ends the connection,
 * a protocol error ends it too. Resolves undefined when the handshake fails.
 */
export function openLeanWebSocket(
  url: string,
  handlers: LeanWebSocketHandlers,
): Promise<LeanWebSocket | undefined> {
  const key = randomBytes(16).toString('base64');
  const accept = createHash('sha1')
    .update(key + HANDSHAKE_GUID)
    .digest('base64');
  return new Promise((resolve) => {
    const upgrade = request(url.replace(/^ws/, 'http'), {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': key,
        'Sec-WebSocket-Version': '13',
      },
    });
    upgrade.once('error', () => resolve(undefined));
    upgrade.once('response', (response) => {
      response.resume();
      resolve(undefined);
    });
    upgrade.once('upgrade', (response, socket: Socket, head: Buffer) => {
      if (response.headers['sec-websocket-accept'] !== accept) {
        socket.destroy();
        return resolve(undefined);
      }
      resolve(attach(socket, head, handlers));
    });
    upgrade.end();
  });
}

function attach(socket: Socket, head: Buffer, handlers: LeanWebSocketHandlers): LeanWebSocket {
  socket.setNoDelay(true);
  const reader = new WebSocketFrameReader({
    message: handlers.message,
    ping: (payload) => socket.write(maskedFrame(OPCODE_PONG, payload)),
    close: (code) => socket.end(maskedFrame(OPCODE_CLOSE, closePayload(code))),
    error: () => socket.destroy(),
  });
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      handlers.close();
      resolve();
    }),
  );
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
  if (head.length > 0) reader.push(head);
  return {
    terminate: () => {
      socket.destroy();
      return closed;
    },
  };
}

function closePayload(code: number): Buffer {
  // Echo the server's code; 1005 (no code) must not be sent, so answer with an empty body.
  if (code === 1005) return Buffer.alloc(0);
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code);
  return payload;
}

/** A client frame (clients must mask) with a control payload (≤ 125 bytes). */
export function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | payload.length;
  randomBytes(4).copy(frame, 2);
  for (let index = 0; index < payload.length; index++)
    frame[6 + index] = payload[index] ^ frame[2 + (index & 3)];
  return frame;
}
