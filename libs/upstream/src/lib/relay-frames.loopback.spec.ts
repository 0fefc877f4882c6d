import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { firstValueFrom, take, tap, toArray } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import { cborMap, concatBytes } from './cbor.test-util.js';
import { relayFrames } from './relay-frames.js';
import type { UpstreamStatus } from './upstream-status.js';

const frame = (seq: number) => concatBytes(cborMap({ t: '#identity', op: 1 }), cborMap({ seq, did: 'did:plc:a', time: '2024-01-01T00:00:00Z' }));

/** A relay on 127.0.0.1 (port 0 unless given) that runs `onConnection` for each client and records the URLs asked for. */
async function startRelay(onConnection: (socket: WebSocket, index: number) => void, port = 0) {
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  await once(server, 'listening');
  const requests: string[] = [];
  server.on('connection', (socket, request) => {
    requests.push(request.url ?? '');
    onConnection(socket, requests.length - 1);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${address.port}/xrpc/com.atproto.sync.subscribeRepos`,
    requests,
    close: () => {
      for (const client of server.clients) client.terminate();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('relayFrames over a loopback WebSocket', () => {
  it('receives binary frames, ignores text, and resumes from cursor() after the relay closes', async () => {
    let processed: number | undefined;
    const relay = await startRelay((socket, index) => {
      if (index === 0) {
        socket.send(frame(1));
        socket.send('not a frame');
        socket.send(frame(2), () => socket.close(1001, 'going away'));
      } else {
        socket.send(frame(3));
      }
    });
    const statuses: UpstreamStatus[] = [];
    try {
      const source = relayFrames({
        wsUrl: `${relay.url}?ignored=1`,
        cursor: () => processed,
        backoff: { initialDelay: 5 },
        onStatus: (status) => statuses.push(status),
      });
      // The consumer's cursor follows what it processed (these frames carry seq 1, 2, 3).
      const received = await firstValueFrom(
        source.pipe(
          tap(() => (processed = (processed ?? 0) + 1)),
          take(3),
          toArray(),
        ),
      );
      expect(received.map((bytes) => Buffer.from(bytes))).toEqual([frame(1), frame(2), frame(3)].map((bytes) => Buffer.from(bytes)));
      expect(relay.requests).toEqual(['/xrpc/com.atproto.sync.subscribeRepos?ignored=1', '/xrpc/com.atproto.sync.subscribeRepos?cursor=2']);
      expect(statuses).toContainEqual({ type: 'ignored-message', detail: 'expected binary message from subscription endpoint' });
      expect(statuses.find((status) => status.type === 'disconnected')).toMatchObject({ reason: 'closed', detail: 'code 1001: going away' });
    } finally {
      await relay.close();
    }
  });

  it('reconnects when a connected relay stays silent for livenessTtl', async () => {
    const relay = await startRelay((socket, index) => {
      if (index === 1) socket.send(frame(7));
    });
    try {
      const [received] = await firstValueFrom(relayFrames({ wsUrl: relay.url, livenessTtl: 50, backoff: { initialDelay: 5 } }).pipe(take(1), toArray()));
      expect(Buffer.from(received!)).toEqual(Buffer.from(frame(7)));
      expect(relay.requests).toHaveLength(2);
    } finally {
      await relay.close();
    }
  });

  it('retries a relay that refuses connections until it is up', async () => {
    const relay = await startRelay((socket) => socket.send(frame(1)));
    const url = relay.url;
    await relay.close();
    const statuses: UpstreamStatus[] = [];
    let restarted: Awaited<ReturnType<typeof startRelay>> | undefined;
    try {
      const received = firstValueFrom(
        relayFrames({
          wsUrl: url,
          backoff: { initialDelay: 5, maxDelay: 20 },
          onStatus: (status) => {
            statuses.push(status);
          },
        }).pipe(take(1)),
      );
      // Wait for a refused dial, then bring a relay up on the same port.
      while (!statuses.some((status) => status.type === 'disconnected')) await new Promise((resolve) => setTimeout(resolve, 5));
      restarted = await startRelay((socket) => socket.send(frame(1)), Number(new URL(url).port));
      expect(Buffer.from(await received)).toEqual(Buffer.from(frame(1)));
      expect(statuses.find((status) => status.type === 'disconnected')).toMatchObject({ reason: 'error' });
    } finally {
      await restarted?.close();
    }
  });
});
