import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** A v1 event's JSON: a post (with text) or a like by did:plc:a, at `timeUs`. */
export function eventJson(timeUs: number, collection = 'app.bsky.feed.like'): string {
  const record =
    collection === 'app.bsky.feed.post'
      ? `{"$type":"app.bsky.feed.post","createdAt":"2026-07-01T12:00:00.000Z","text":"hello \\u0026 welcome\\nsecond line"}`
      : `{"$type":"${collection}","createdAt":"2026-07-01T12:00:00.000Z"}`;
  return (
    `{"did":"did:plc:a","time_us":${timeUs},"kind":"commit","commit":{"rev":"3l3qo2vutsw2b","operation":"create",` +
    `"collection":"${collection}","rkey":"k${timeUs}","record":${record},"cid":"bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"}}`
  );
}

/**
 * A Jetstream stand-in on 127.0.0.1 for command tests: `onConnection` gets each WebSocket and
 * its query; a request whose query `refuse` names gets HTTP 400 with that text (as v1 answers a
 * bad filter).
 */
export async function startFakeJetstream(
  onConnection: (socket: WebSocket, query: URLSearchParams, index: number) => void,
  refuse: (query: URLSearchParams) => string | undefined = () => undefined,
) {
  const requests: string[] = [];
  const server = createServer();
  const sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    // The client may reset a refused connection; Node's server no longer handles this socket's errors.
    socket.on('error', () => socket.destroy());
    requests.push(request.url ?? '');
    const query = new URL(request.url ?? '', 'ws://h').searchParams;
    const refusal = refuse(query);
    if (refusal !== undefined) return socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\n${refusal}`);
    sockets.handleUpgrade(request, socket, head, (client) => onConnection(client, query, requests.length - 1));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => {
      for (const client of sockets.clients) client.terminate();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
