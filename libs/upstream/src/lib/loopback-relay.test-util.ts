import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { cborMap, concatBytes } from './cbor.test-util.js';

/** An `#identity` frame with this seq. */
export const identityFrameWithSeq = (seq: number) =>
  concatBytes(cborMap({ t: '#identity', op: 1 }), cborMap({ seq, did: 'did:plc:a', time: '2024-01-01T00:00:00Z' }));

/** A relay on 127.0.0.1 that runs `onConnection` for each client and records the request URLs. */
export async function startLoopbackRelay(onConnection: (socket: WebSocket, url: string) => void) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const requests: string[] = [];
  server.on('connection', (socket, request) => {
    requests.push(request.url ?? '');
    onConnection(socket, request.url ?? '');
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `ws://127.0.0.1:${port}`,
    requests,
    close: () => {
      for (const client of server.clients) client.terminate();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
