import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { createV1Decompressor } from '@jetstream-ts/compression';
import type { EventLog } from '@jetstream-ts/models';
import { createEventFactory, MemoryEventLog, type TestEventFields } from './memory-event-log.test-util.js';
import {
  attachSubscribeEndpoint,
  type SubscribeEndpoint,
  type SubscribeEndpointOptions,
} from './subscribe-endpoint.js';
import type { SubscriberMetrics } from './subscriber-metrics.js';

export const makeEvent = createEventFactory();
export const decompressor = createV1Decompressor();
export const utf8 = new TextDecoder();
/** Event times start here: in the past, so that cursors are not "in the future". */
export const T0 = 1_700_000_000_000_000;

export interface TestServer<L extends EventLog = MemoryEventLog> {
  log: L;
  endpoint: SubscribeEndpoint;
  wsUrl: string;
  httpUrl: string;
}

export interface TestClient {
  socket: WebSocket;
  messages: { data: Buffer; binary: boolean }[];
  pings: number;
  closed: Promise<{ code: number; reason: string }>;
}

const servers: { server: Server; endpoint: SubscribeEndpoint }[] = [];
const clients: WebSocket[] = [];
const timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  timers.splice(0).forEach(clearInterval);
  clients.splice(0).forEach((client) => client.terminate());
  for (const { server, endpoint } of servers.splice(0)) {
    await endpoint.close();
    await new Promise((resolve) => server.close(resolve));
  }
});

export async function startServer(options: Partial<SubscribeEndpointOptions> = {}): Promise<TestServer> {
  return startServerOn(new MemoryEventLog(), options);
}

export async function startServerOn<L extends EventLog>(
  log: L,
  options: Partial<SubscribeEndpointOptions> = {},
): Promise<TestServer<L>> {
  // Go accepts request headers up to 1 MB; Node's default (16 KiB) would refuse 10,000 DIDs.
  const server = createServer({ maxHeaderSize: 1024 * 1024 }, (request, response) => {
    if (endpoint.handleRequest(request, response)) return;
    response
      .writeHead(404, { 'Content-Type': 'application/json; charset=UTF-8' })
      .end('{"message":"Not Found"}\n');
  });
  const endpoint = attachSubscribeEndpoint(server, {
    log,
    session: { maxEventsPerSecond: Infinity },
    ...options,
  });
  servers.push({ server, endpoint });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { log, endpoint, wsUrl: `ws://127.0.0.1:${port}`, httpUrl: `http://127.0.0.1:${port}` };
}

export async function connect(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
  const socket = new WebSocket(url, { headers });
  clients.push(socket);
  const client: TestClient = {
    socket,
    messages: [],
    pings: 0,
    closed: new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    ),
  };
  socket.on('message', (data, binary) => client.messages.push({ data: data as Buffer, binary }));
  socket.on('ping', () => client.pings++);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return client;
}

/** The upgrade refused: status, content type and body of the HTTP answer. */
export async function refusedUpgrade(
  url: string,
): Promise<{ status: number; contentType: string | undefined; body: string }> {
  const socket = new WebSocket(url);
  clients.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('open', () => reject(new Error('upgrade accepted')));
    socket.once('error', () => undefined);
    socket.once('unexpected-response', (_request, response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          contentType: response.headers['content-type'],
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
  });
}

export async function httpGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

/** Polls until `condition` holds; fails after `timeoutMs` (a bound, not a timing assertion). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A round trip: the server has handled everything this client sent, and sent what it had before the pong. */
export async function roundTrip(client: TestClient): Promise<void> {
  await new Promise((resolve) => {
    client.socket.once('pong', resolve);
    client.socket.ping();
  });
}

/** Appends `count` events from `T0 + first`, `perTick` every `everyMs`, as an ingest would. */
export function feed(
  log: MemoryEventLog,
  first: number,
  count: number,
  perTick: number,
  everyMs: number,
  fields: (n: number) => TestEventFields = () => ({}),
): Promise<void> {
  return new Promise((resolve) => {
    let next = first;
    const timer = setInterval(() => {
      for (let i = 0; i < perTick && next < first + count; i++, next++)
        log.append(makeEvent(T0 + next, fields(next)));
      if (next >= first + count) {
        clearInterval(timer);
        resolve();
      }
    }, everyMs);
    timers.push(timer);
  });
}

export function decoded(message: { data: Buffer; binary: boolean }): {
  did: string;
  time_us: number;
  kind: string;
  commit?: { collection: string };
} {
  return JSON.parse(utf8.decode(message.binary ? decompressor.decompress(message.data) : message.data));
}

export const timesOf = (client: TestClient): number[] =>
  client.messages.map((message) => decoded(message).time_us - T0);
export const range = (first: number, last: number): number[] =>
  Array.from({ length: last - first + 1 }, (_, n) => first + n);

/** The dictionary ID in a zstd frame header (RFC 8878 §3.1.1.1). */
export function zstdDictionaryId(frame: Uint8Array): number | undefined {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint32(0, true) !== 0xfd2fb528) return undefined;
  const descriptor = frame[4] as number;
  const idBytes = [0, 1, 2, 4][descriptor & 3] as number;
  const at = 5 + ((descriptor >> 5) & 1 ? 0 : 1);
  if (idBytes === 1) return view.getUint8(at);
  if (idBytes === 2) return view.getUint16(at, true);
  if (idBytes === 4) return view.getUint32(at, true);
  return undefined;
}

/** Metrics that count per address in maps, and record the addresses whose series were removed. */
export function countingMetrics() {
  const connected = new Map<string, number>();
  const delivered = new Map<string, { events: number; bytes: number }>();
  const removed: string[] = [];
  const remove = ({ ip_address }: { ip_address: string }) => void removed.push(ip_address);
  const deliveredTo = (ip: string) =>
    delivered.get(ip) ??
    (delivered.set(ip, { events: 0, bytes: 0 }).get(ip) as { events: number; bytes: number });
  const metrics: SubscriberMetrics = {
    subscribersConnected: {
      inc: ({ ip_address }, value = 1) => connected.set(ip_address, (connected.get(ip_address) ?? 0) + value),
      dec: ({ ip_address }, value = 1) => connected.set(ip_address, (connected.get(ip_address) ?? 0) - value),
      remove,
    },
    eventsDelivered: {
      inc: ({ ip_address }, value = 1) => (deliveredTo(ip_address).events += value),
      remove,
    },
    bytesDelivered: { inc: ({ ip_address }, value = 1) => (deliveredTo(ip_address).bytes += value), remove },
  };
  return { metrics, connected, delivered, removed };
}
