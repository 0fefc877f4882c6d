import { once } from 'node:events';
import { connect as connectTcp } from 'node:net';
import { WebSocket } from 'ws';
import { ClientTable, type ClientEntry, type ConnectionLimits, type Refusal } from './client-table.js';
import { TrustedProxies } from './real-ip.js';
import type { SharedConnectionLimits } from './subscribe-endpoint.js';
import {
  connect,
  countingMetrics,
  makeEvent,
  refusedUpgrade,
  startServer,
  T0,
  waitFor,
} from './subscribe-endpoint.test-util.js';

/** Opens `count` sockets at once; resolves with how many opened and the refusals' status and body. */
async function openMany(
  url: string,
  count: number,
  headers: (n: number) => Record<string, string> = () => ({}),
) {
  const sockets: WebSocket[] = [];
  const outcomes = await Promise.all(
    Array.from({ length: count }, (_, n) => {
      const socket = new WebSocket(url, { headers: headers(n) });
      sockets.push(socket);
      return new Promise<string>((resolve) => {
        socket.once('open', () => resolve('open'));
        socket.once('error', () => undefined);
        socket.once('unexpected-response', (_request, response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve(`${response.statusCode} ${body}`));
        });
      });
    }),
  );
  return { sockets, outcomes };
}

const tally = (outcomes: string[]) =>
  outcomes.reduce<Record<string, number>>(
    (counts, outcome) => ({ ...counts, [outcome]: (counts[outcome] ?? 0) + 1 }),
    {},
  );

/** Limits two endpoints share (as a primary counts for its workers), with the addresses they were asked about. */
function sharedTable(limits: ConnectionLimits) {
  const table = new ClientTable(limits, Infinity);
  const entries = new Map<string, ClientEntry>();
  const asked: string[] = [];
  const shared: SharedConnectionLimits = {
    admit: async (ipAddress) => {
      asked.push(ipAddress);
      const admitted = table.admit(ipAddress);
      if ('status' in admitted) return admitted;
      entries.set(ipAddress, admitted);
      return undefined;
    },
    release: (ipAddress) => table.release(entries.get(ipAddress)!),
  };
  return { shared, asked, table };
}

describe('the /subscribe endpoint under hostile clients', () => {
  it('survives clients that reset the connection while their refusal is being written', async () => {
    // The upgrade's socket has lost Node's error listener: an unhandled reset would crash the process.
    const { wsUrl } = await startServer();
    const { port } = new URL(wsUrl);
    const request =
      'GET /subscribe?wantedCollections=bad* HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n${'x'.repeat(100)}`;
    for (let attempt = 0; attempt < 50; attempt++) {
      const socket = connectTcp(Number(port), '127.0.0.1');
      await once(socket, 'connect');
      socket.write(request, () => socket.resetAndDestroy());
      await once(socket, 'close');
    }
    (await connect(`${wsUrl}/subscribe`)).socket.close();
  });

  it('serves 50 of 80 sockets from one address and refuses 30 with 429 and the reason; a freed slot is reusable', async () => {
    const refused: string[] = [];
    const { endpoint, wsUrl } = await startServer({
      limits: { maxConnectionsPerIp: 50 },
      metrics: {
        ...countingMetrics().metrics,
        subscribersRefused: { inc: ({ reason }) => refused.push(reason) },
      },
    });
    const { sockets, outcomes } = await openMany(`${wsUrl}/subscribe`, 80);
    try {
      expect(tally(outcomes)).toEqual({
        open: 50,
        '429 too many connections from 127.0.0.1: at most 50 per address': 30,
      });
      expect(endpoint.subscriberCount).toBe(50);
      expect(refused).toEqual(Array.from({ length: 30 }, () => 'too_many_for_ip'));
      const open = sockets.find((socket) => socket.readyState === WebSocket.OPEN)!;
      open.close();
      await waitFor(() => endpoint.subscriberCount === 49, 'a slot to be freed');
      (await connect(`${wsUrl}/subscribe`)).socket.close();
    } finally {
      sockets.forEach((socket) => socket.terminate());
    }
  });

  it('refuses past maxConnections in all with 503 and the reason', async () => {
    const { wsUrl } = await startServer({
      limits: { maxConnections: 3 },
      trustedProxies: TrustedProxies.parse('127.0.0.1'),
    });
    const { sockets, outcomes } = await openMany(`${wsUrl}/subscribe`, 4, (n) => ({
      'X-Forwarded-For': `198.51.100.${n}`,
    }));
    sockets.forEach((socket) => socket.terminate());
    expect(tally(outcomes)).toEqual({
      open: 3,
      '503 server full: at most 3 subscriber connections, try again later': 1,
    });
  });

  it('holds sharedLimits across endpoints: asked with the forwarded client, 429 with the reason past them, released on close', async () => {
    const { shared, asked, table } = sharedTable({ maxConnections: 0, maxConnectionsPerIp: 2 });
    const options = { sharedLimits: shared, trustedProxies: TrustedProxies.parse('127.0.0.1') };
    const first = await startServer(options);
    const second = await startServer(options);
    const forwarded = () => ({ 'X-Forwarded-For': '203.0.113.7' });
    const opened = [await openMany(`${first.wsUrl}/subscribe`, 1, forwarded), await openMany(`${second.wsUrl}/subscribe`, 1, forwarded)];
    const third = await openMany(`${first.wsUrl}/subscribe`, 1, forwarded);
    try {
      expect([...opened, third].map(({ outcomes }) => outcomes[0])).toEqual(['open', 'open', '429 too many connections from 203.0.113.7: at most 2 per address']);
      expect(asked).toEqual(['203.0.113.7', '203.0.113.7', '203.0.113.7']);
    } finally {
      [...opened, third].forEach(({ sockets }) => sockets.forEach((socket) => socket.terminate()));
    }
    await waitFor(() => table.connections === 0, 'the shared connections released');
  });

  it('releases a shared admission that arrives after its client left', async () => {
    const answers: ((refusal: Refusal | undefined) => void)[] = [];
    const released: string[] = [];
    const { endpoint, wsUrl } = await startServer({
      sharedLimits: { admit: () => new Promise((resolve) => answers.push(resolve)), release: (ipAddress) => released.push(ipAddress) },
    });
    const { port } = new URL(wsUrl);
    const socket = connectTcp(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET /subscribe HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    await waitFor(() => answers.length === 1, 'the admission asked');
    socket.resetAndDestroy();
    await waitFor(() => endpoint.addressCount === 0, 'the local count released');
    answers[0]!(undefined);
    await waitFor(() => released.length === 1, 'the shared admission released');
    expect(released).toEqual(['127.0.0.1']);
    expect(endpoint.subscriberCount).toBe(0);
  });

  it('keeps forged X-Forwarded-For out of the labels unless the peer is a trusted proxy', async () => {
    const untrusted = countingMetrics();
    const { wsUrl } = await startServer({ metrics: untrusted.metrics });
    const client = await connect(`${wsUrl}/subscribe`, { 'X-Forwarded-For': '203.0.113.1' });
    expect([...untrusted.connected.keys()]).toEqual(['127.0.0.1']);
    client.socket.close();
  });

  it('holds per-address state only while connected: 200 forged-address connect/close cycles leave none', async () => {
    const counting = countingMetrics();
    const { endpoint, wsUrl } = await startServer({
      metrics: counting.metrics,
      trustedProxies: TrustedProxies.parse('127.0.0.1'),
    });
    for (let cycle = 0; cycle < 200; cycle++) {
      const client = await connect(`${wsUrl}/subscribe`, {
        'X-Forwarded-For': `10.${cycle >> 8}.${cycle & 255}.1`,
      });
      client.socket.close();
      await client.closed;
    }
    await waitFor(() => endpoint.subscriberCount === 0, 'every connection closed');
    expect(endpoint.addressCount).toBe(0);
    // Three per-address series each (connected, events, bytes), each removed once.
    expect(counting.removed).toHaveLength(600);
    expect(new Set(counting.removed).size).toBe(200);
  });

  it('closes an options_update flood with 1008 and the reason, and a byte flood likewise', async () => {
    const { wsUrl } = await startServer({
      session: { maxEventsPerSecond: Infinity, maxClientMessagesPerSecond: 5, maxClientBytesPerSecond: 1000 },
    });
    const update = JSON.stringify({
      type: 'options_update',
      payload: { wantedCollections: ['app.bsky.feed.post'] },
    });
    const flooder = await connect(`${wsUrl}/subscribe`);
    for (let n = 0; n < 20; n++) flooder.socket.send(update);
    expect(await flooder.closed).toEqual({ code: 1008, reason: 'too many messages: more than 5 per second' });

    const heavy = await connect(`${wsUrl}/subscribe`);
    const padded = JSON.stringify({ type: 'padding', payload: 'x'.repeat(600) });
    heavy.socket.send(padded);
    heavy.socket.send(padded);
    expect(await heavy.closed).toEqual({
      code: 1008,
      reason: 'too many bytes sent: more than 1000 per second',
    });
  });

  it('closes an options_update whose filter is over maxFilterBytes with 1008, and refuses such a query with 400', async () => {
    const { wsUrl } = await startServer({ session: { maxEventsPerSecond: Infinity, maxFilterBytes: 40 } });
    const dids = ['did:plc:aaaaaaaaaaaaaaaaaaaaaaaa', 'did:plc:bbbbbbbbbbbbbbbbbbbbbbbb'];
    const client = await connect(`${wsUrl}/subscribe`);
    client.socket.send(JSON.stringify({ type: 'options_update', payload: { wantedDids: dids } }));
    const closed = await client.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toBe(
      'failed to parse subscriber options: invalid subscriber options: filter too large: more than 40 bytes of wanted DIDs and col',
    );
    const refused = await refusedUpgrade(`${wsUrl}/subscribe?wantedDids=${dids[0]}&wantedDids=${dids[1]}`);
    expect([refused.status, refused.body]).toEqual([
      400,
      'invalid subscriber options: filter too large: more than 40 bytes of wanted DIDs and collections',
    ]);
  });

  it('closes a stalled connection (pings unanswered) with 1008 and a reason, not a bare drop', async () => {
    const closedFor: string[] = [];
    const { log, wsUrl } = await startServer({
      pingIntervalMs: 30,
      metrics: {
        ...countingMetrics().metrics,
        subscribersClosed: { inc: ({ reason }) => closedFor.push(reason) },
      },
    });
    const stalled = new WebSocket(`${wsUrl}/subscribe`, { autoPong: false });
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      stalled.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    await new Promise((resolve) => stalled.once('open', resolve));
    log.append(makeEvent(T0 + 1));
    expect(await closed).toEqual({ code: 1008, reason: 'connection stalled: no pong to 2 pings' });
    expect(closedFor).toEqual(['stalled']);
  });
});
