import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { firstValueFrom, take, toArray } from 'rxjs';
import * as ws from 'ws';
import { webSocketOpener, wsOpener } from './client-socket.js';
import { jetstream } from './jetstream.js';
import { likeJson } from './scripted-socket.test-util.js';

/**
 * A Jetstream stand-in on 127.0.0.1: a collection filter gets v1's HTTP 400, otherwise the first
 * connection gets events 1-2 then a close, the next ones the events after their cursor.
 */
async function startServer(): Promise<{ url: string; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const server = createServer();
  const sockets = new ws.WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    // The client may reset a refused connection; Node's server no longer handles this socket's errors.
    socket.on('error', () => socket.destroy());
    requests.push(request.url ?? '');
    const query = new URL(request.url ?? '', 'ws://h').searchParams;
    const cursor = query.get('cursor');
    if (query.has('wantedCollections')) {
      return socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\ninvalid subscriber options: invalid collection: bad*');
    }
    sockets.handleUpgrade(request, socket, head, (client) => {
      if (cursor === null) {
        client.send(likeJson(1));
        client.send(likeJson(2), () => client.close(1001, 'restarting'));
      } else {
        for (let timeUs = Number(cursor); timeUs <= 4; timeUs++) client.send(likeJson(timeUs));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

describe.each([
  ['the ws opener', wsOpener(ws)],
  ['a WHATWG WebSocket (as a global one is)', webSocketOpener(ws.WebSocket as unknown as Parameters<typeof webSocketOpener>[0])],
])('over a loopback WebSocket with %s', (_name, socket) => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeEach(async () => (server = await startServer()));
  afterEach(() => {
    server.server.closeAllConnections();
    server.server.close();
  });

  it('delivers each event once across a close: the reconnect resumes at the last time_us', async () => {
    const stream = jetstream({ url: server.url, socket, reconnect: { initialDelayMs: 10 } });
    const times = (await firstValueFrom(stream.pipe(take(4), toArray()))).map((event) => event.time_us);
    expect(times).toEqual([1, 2, 3, 4]);
    expect(server.requests).toEqual(['/subscribe', '/subscribe?cursor=2']);
  });
});

describe('a refused upgrade (HTTP 400)', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeEach(async () => (server = await startServer()));
  afterEach(() => server.server.close());

  it('ends the stream with the status and the server text over ws', async () => {
    const refused = firstValueFrom(jetstream({ url: server.url, wantedCollections: ['bad*'], socket: wsOpener(ws) }));
    await expect(refused).rejects.toThrow(
      `${server.url}/subscribe refused the subscription: HTTP 400: invalid subscriber options: invalid collection: bad*`,
    );
  });

  it('cannot be told from a failed connection by a WHATWG WebSocket, so it is retried', async () => {
    const statuses: string[] = [];
    const subscription = jetstream({
      url: server.url,
      wantedCollections: ['bad*'],
      socket: webSocketOpener(ws.WebSocket as unknown as Parameters<typeof webSocketOpener>[0]),
      reconnect: { initialDelayMs: 10 },
      onStatus: (status) => status.type === 'disconnected' && statuses.push(status.reason),
    }).subscribe();
    while (server.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    subscription.unsubscribe();
    expect(statuses[0]).toBe(`connection to ${server.url}/subscribe?wantedCollections=bad* failed`);
  });
});
