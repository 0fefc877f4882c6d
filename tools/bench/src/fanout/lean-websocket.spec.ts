import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { maskedFrame, openLeanWebSocket } from './lean-websocket.js';
import { WebSocketFrameReader } from './websocket-frame-reader.js';

async function startServer(
  onConnection: (socket: WebSocket) => void,
): Promise<{ url: string; server: WebSocketServer }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', onConnection);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/subscribe`, server };
}

function closeServer(server: WebSocketServer): Promise<void> {
  for (const client of server.clients) client.terminate();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('openLeanWebSocket', () => {
  it('receives text and binary messages from a ws server, answers its ping, and ends on its close', async () => {
    const large = Buffer.alloc(70_000, 5);
    const { url, server } = await startServer((socket) => {
      socket.on('pong', (payload) => {
        socket.send(`pong ${payload.toString()}`);
        socket.close(4000);
      });
      socket.send('{"time_us":1}');
      socket.send(large, { binary: true });
      socket.ping('p1');
    });
    try {
      const seen: string[] = [];
      const closed = new Promise<void>((resolve) =>
        openLeanWebSocket(`${url}?compress=true`, {
          message: (data, isBinary) => seen.push(isBinary ? `binary ${data.length}` : data.toString()),
          close: resolve,
        }),
      );
      await closed;
      expect(seen).toEqual(['{"time_us":1}', 'binary 70000', 'pong p1']);
    } finally {
      await closeServer(server);
    }
  }, 10_000);

  it('resolves undefined when the server refuses the upgrade, and terminate closes the socket', async () => {
    const { url, server } = await startServer(() => undefined);
    try {
      const refused = await openLeanWebSocket(url.replace(/:\d+\//, ':1/'), {
        message: () => undefined,
        close: () => undefined,
      });
      expect(refused).toBeUndefined();
      let closes = 0;
      const socket = await openLeanWebSocket(url, { message: () => undefined, close: () => closes++ });
      expect(socket).toBeDefined();
      await socket?.terminate();
      expect(closes).toBe(1);
    } finally {
      await closeServer(server);
    }
  }, 10_000);
});

describe('maskedFrame', () => {
  it('masks a control payload so that unmasking with its key gives the payload back', () => {
    const frame = maskedFrame(0xa, Buffer.from('hello'));
    expect([frame[0], frame[1]]).toEqual([0x8a, 0x80 | 5]);
    const unmasked = frame.subarray(6).map((byte, index) => byte ^ frame[2 + (index % 4)]);
    expect(Buffer.from(unmasked).toString()).toBe('hello');
    // Unmasked (as a server would send it), the reader sees a pong: nothing to report.
    const seen: string[] = [];
    new WebSocketFrameReader({
      message: () => seen.push('message'),
      ping: () => seen.push('ping'),
      close: () => seen.push('close'),
      error: (reason) => seen.push(reason),
    }).push(Buffer.concat([Buffer.from([0x8a, 5]), Buffer.from(unmasked)]));
    expect(seen).toEqual([]);
  });
});
