import { connect } from 'node:net';
import { WebSocket } from 'ws';
import { until } from '@jetstream-ts/testkit';
import { seriesCount, type ServerUnderTest } from './server-under-test.js';

/** How a WebSocket attempt ended: opened, refused with an HTTP status and body, or closed with a code and reason. */
export type Outcome = { kind: 'open'; socket: WebSocket } | { kind: 'refused'; status: number; body: string } | { kind: 'failed'; error: string };

/** Opens a /subscribe WebSocket; resolves when it opened or was refused. */
export function openSubscriber(server: ServerUnderTest, options: { query?: string; headers?: Record<string, string>; autoPong?: boolean } = {}): Promise<Outcome> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.publicPort}/subscribe${options.query ?? ''}`, { headers: options.headers, autoPong: options.autoPong ?? true });
  return new Promise((resolve) => {
    socket.once('open', () => resolve({ kind: 'open', socket }));
    socket.once('error', (error) => resolve({ kind: 'failed', error: error.message }));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ kind: 'refused', status: response.statusCode ?? 0, body }));
    });
  });
}

/** Resolves with the close code and reason the server sent (1006 when it sent none), or rejects after `timeoutMs`. */
export function closeOf(socket: WebSocket, timeoutMs: number): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no close within ${timeoutMs} ms`)), timeoutMs);
    socket.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
  });
}

/** `sockets` handshakes at once from 127.0.0.1: how many were served and how the rest were refused. */
export async function connectionFlood(server: ServerUnderTest, sockets: number): Promise<{ served: number; refused: Record<string, number> }> {
  const outcomes = await Promise.all(Array.from({ length: sockets }, () => openSubscriber(server)));
  const refused: Record<string, number> = {};
  for (const outcome of outcomes) {
    if (outcome.kind === 'refused') refused[`${outcome.status} ${outcome.body}`] = (refused[`${outcome.status} ${outcome.body}`] ?? 0) + 1;
    if (outcome.kind === 'failed') refused[outcome.error] = (refused[outcome.error] ?? 0) + 1;
  }
  const open = outcomes.flatMap((outcome) => (outcome.kind === 'open' ? [outcome.socket] : []));
  await Promise.all(open.map((socket) => closeAndWait(socket)));
  return { served: open.length, refused };
}

/**
 * `cycles` connect/close cycles, each with a new forged `X-Forwarded-For`: the /metrics series
 * count before, at most during (sampled every 100 cycles), and after, and how many series still
 * carry an `ip_address` label after (a client's per-address series go with it).
 */
export async function forgedForwardedFor(server: ServerUnderTest, cycles: number, seed: number): Promise<{ before: number; peak: number; after: number; addressSeriesAfter: number }> {
  const series = async () => (await server.metricsGet('/metrics')).body;
  const before = seriesCount(await series());
  let peak = before;
  let state = seed >>> 0;
  for (let cycle = 0; cycle < cycles; cycle++) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    const forged = `${((state >>> 24) % 223) + 1}.${(state >>> 16) & 255}.${(state >>> 8) & 255}.${state & 255}`;
    const outcome = await openSubscriber(server, { headers: { 'X-Forwarded-For': forged, 'X-Real-Ip': forged } });
    if (outcome.kind !== 'open') throw new Error(`cycle ${cycle} was not served: ${JSON.stringify(outcome)}`);
    await closeAndWait(outcome.socket);
    if (cycle % 100 === 99) peak = Math.max(peak, seriesCount(await series()));
  }
  // Closing is asynchronous on the server's side: wait for the last disconnects to land.
  const addressSeries = (text: string) => text.split('\n').filter((line) => line.includes('ip_address="')).length;
  await until(async () => addressSeries(await series()) === 0, 'the per-address series to go', 10_000).catch(() => undefined);
  const text = await series();
  return { before, peak: Math.max(peak, seriesCount(text)), after: seriesCount(text), addressSeriesAfter: addressSeries(text) };
}

/**
 * Clients that flood: one sends a message of `oversized` bytes (over the inbound cap), another
 * sends small `options_update`s as fast as it can. The close each gets.
 */
export async function inboundFlood(server: ServerUnderTest, oversized: number): Promise<{ oversized: { code: number; reason: string }; flood: { code: number; reason: string } }> {
  const big = await openSubscriber(server);
  if (big.kind !== 'open') throw new Error(`not served: ${JSON.stringify(big)}`);
  const bigClosed = closeOf(big.socket, 10_000);
  big.socket.send(JSON.stringify({ type: 'options_update', payload: { wantedDids: [], pad: 'x'.repeat(oversized) } }));
  const flooder = await openSubscriber(server);
  if (flooder.kind !== 'open') throw new Error(`not served: ${JSON.stringify(flooder)}`);
  const floodClosed = closeOf(flooder.socket, 10_000);
  const update = JSON.stringify({ type: 'options_update', payload: { wantedCollections: ['app.bsky.feed.post'] } });
  for (let n = 0; n < 1000 && flooder.socket.readyState === WebSocket.OPEN; n++) flooder.socket.send(update);
  return { oversized: await bigClosed, flood: await floodClosed };
}

/** Raw requests with a 1.2 MB URL and a 2 MB header: the status line of each answer (or the error). */
export async function oversizedRequests(server: ServerUnderTest): Promise<{ url: string; header: string }> {
  const raw = (request: string) =>
    new Promise<string>((resolve) => {
      const socket = connect(server.publicPort, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      socket.on('error', (error) => resolve(`error ${(error as NodeJS.ErrnoException).code ?? error.message}`));
      socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
      socket.end(request);
    });
  return {
    url: await raw(`GET /subscribe?${'x'.repeat(1_200_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`),
    header: await raw(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'y'.repeat(2_000_000)}\r\n\r\n`),
  };
}

/** A subscriber that never answers pings: the close the server gives it. */
export async function stalledReader(server: ServerUnderTest, timeoutMs: number): Promise<{ code: number; reason: string }> {
  const stalled = await openSubscriber(server, { autoPong: false });
  if (stalled.kind !== 'open') throw new Error(`not served: ${JSON.stringify(stalled)}`);
  return closeOf(stalled.socket, timeoutMs);
}

function closeAndWait(socket: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) return resolve();
    socket.once('close', () => resolve());
    socket.close();
  });
}
