import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeRelay, type FakeRelay } from '@jetstream-ts/fake-relay';
import { WebSocket } from 'ws';
import { describeEvent, relayLog } from './crash-relay-log.test-util.js';
import { readMetric, startServerProcess, until, type ServerProcess } from './server-process.test-util.js';

const FRAMES = 600;
const SUBSCRIBERS = 20;

/** A `/subscribe?cursor=0` client collecting what it is sent, as the strings `relayLog` expects. */
function subscriber(publicPort: number) {
  const received: string[] = [];
  const socket = new WebSocket(`ws://127.0.0.1:${publicPort}/subscribe?cursor=0`);
  socket.on('message', (data) => received.push(describeEvent(String(data))));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { received, socket, closed };
}

/** Opens `/subscribe` with `headers`: the socket once open, or the refusal's status and body. */
function handshake(publicPort: number, headers: Record<string, string>): Promise<{ socket: WebSocket; outcome: string }> {
  const socket = new WebSocket(`ws://127.0.0.1:${publicPort}/subscribe`, { headers });
  socket.on('error', () => undefined);
  return new Promise((resolve) => {
    socket.once('open', () => resolve({ socket, outcome: 'open' }));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ socket, outcome: `${response.statusCode} ${body}` }));
    });
  });
}

/** `/readyz`'s status and body. */
async function readiness(metricsPort: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
  return `${response.status} ${await response.text()}`;
}

/** The label sets of `name`'s series on `/metrics`. */
async function seriesOf(metricsPort: number, name: string): Promise<string[]> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`))
    .map((line) => line.slice(name.length, line.lastIndexOf(' ')));
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('jetstream-server --workers 2', () => {
  let dataDir: string;
  let relay: FakeRelay | undefined;
  let server: ServerProcess | undefined;
  const sockets: WebSocket[] = [];

  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'jetstream-server-workers-'))));
  afterEach(async () => {
    for (const socket of sockets) socket.terminate();
    // The workers exit when their primary goes (their IPC channel closes).
    server?.child.kill('SIGKILL');
    await relay?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const workerStarts = () => server!.logs.filter((entry) => entry['msg'] === 'subscriber worker started');

  it('spreads subscribers over both workers, each gets every event once in order, metrics add up, a killed worker is replaced (not ready meanwhile)', async () => {
    const { frames, expected } = relayLog(FRAMES);
    relay = await startFakeRelay({ frames, rate: 400 });
    server = startServerProcess([`--ws-url=${relay.url}`, `--data-dir=${dataDir}`, '--workers=2', '--max-connections-per-ip=0']);
    const { publicPort, metricsPort } = await server.started;
    expect(workerStarts().map((entry) => entry['worker']).sort()).toEqual([1, 2]);

    // Part of the log is in the store by now (replay), the rest comes live (announced heads).
    await until(async () => ((await readMetric(metricsPort, 'consumer_last_seq')) ?? 0) >= FRAMES / 4, 'a quarter of the frames');
    const clients = Array.from({ length: SUBSCRIBERS }, () => subscriber(publicPort));
    sockets.push(...clients.map((client) => client.socket));
    await until(() => clients.every((client) => client.received.length >= expected.length), 'every subscriber to get every event', 30_000);
    // Nothing more arrives after the end of the relay's log.
    await until(async () => (await readMetric(metricsPort, 'consumer_last_seq')) === FRAMES, 'the last frame');
    for (const client of clients) expect(client.received).toEqual(expected);

    const connected = server.logs.filter((entry) => entry['msg'] === 'subscriber connected');
    const perWorker = [1, 2].map((worker) => connected.filter((entry) => entry['worker'] === worker).length);
    // The primary hands connections out in turn: an exact split.
    expect(perWorker).toEqual([SUBSCRIBERS / 2, SUBSCRIBERS / 2]);
    // Subscriber ids name their worker: unique across the pool, in the logs and in the per-subscriber series.
    const ids = connected.map((entry) => entry['subscriber'] as string);
    expect(new Set(ids).size).toBe(SUBSCRIBERS);
    for (const entry of connected) expect(entry['subscriber']).toMatch(new RegExp(`^w${entry['worker'] as number}-\\d+$`));
    // Sampled every second; summed over the workers, a series per subscriber.
    await until(async () => (await seriesOf(metricsPort, 'jetstream_subscriber_lag_seconds')).length >= SUBSCRIBERS, 'a lag series per subscriber');
    const lagSeries = await seriesOf(metricsPort, 'jetstream_subscriber_lag_seconds');
    expect(lagSeries.sort()).toEqual(ids.map((id) => `{subscriber="${id}",ip_address="127.0.0.1"}`).sort());

    // /metrics on the primary: the workers' subscriber counts summed, the primary's ingest counts.
    expect(await readMetric(metricsPort, 'jetstream_events_delivered_total')).toBe(SUBSCRIBERS * expected.length);
    expect(await readMetric(metricsPort, 'jetstream_subscribers_connected')).toBe(SUBSCRIBERS);
    expect(await readMetric(metricsPort, 'consumer_events_persisted_total')).toBe(expected.length);
    expect(await (await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).text()).toBe('ready\n');

    // A worker killed with SIGKILL: its subscribers are cut, another worker takes its place.
    const victim = workerStarts()[0]!;
    process.kill(victim['pid'] as number, 'SIGKILL');
    // Until its replacement is ready, /readyz says a worker is missing (starting one takes a process start, hundreds of ms).
    await until(async () => (await readiness(metricsPort)) === '503 not ready: workers: 1/2 ready\n', '/readyz to miss a worker');
    await until(() => workerStarts().length === 3, 'a replacement worker');
    await until(async () => (await readiness(metricsPort)) === '200 ready\n', '/readyz ready again');
    expect(server.logs.some((entry) => entry['msg'] === 'subscriber worker died; starting another' && entry['signal'] === 'SIGKILL')).toBe(true);
    const cut = clients.filter((client) => client.socket.readyState !== WebSocket.OPEN);
    expect(cut.length).toBe(perWorker[(victim['worker'] as number) - 1]);

    // The server keeps serving: new subscribers (on either worker) replay everything.
    const after = Array.from({ length: 4 }, () => subscriber(publicPort));
    sockets.push(...after.map((client) => client.socket));
    await until(() => after.every((client) => client.received.length >= expected.length), 'the new subscribers to replay everything');
    for (const client of after) expect(client.received).toEqual(expected);

    // SIGTERM to the primary stops the workers and commits.
    const workerPids = workerStarts().map((entry) => entry['pid'] as number);
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(workerPids.filter(isAlive)).toEqual([]);
  }, 90_000);

  it('holds --max-connections-per-ip across the workers, for the client a trusted proxy names: 429 with the reason past it', async () => {
    relay = await startFakeRelay({ frames: relayLog(10).frames, rate: 400 });
    server = startServerProcess([`--ws-url=${relay.url}`, `--data-dir=${dataDir}`, '--workers=2', '--max-connections-per-ip=2', '--trusted-proxies=127.0.0.1']);
    const { publicPort } = await server.started;
    const from = (client: string) => ({ 'X-Forwarded-For': client });
    const open = async (client: string) => {
      const opened = await handshake(publicPort, from(client));
      sockets.push(opened.socket);
      return opened;
    };
    // The primary hands connections out in turn: these two are on different workers.
    const [first, second] = [await open('203.0.113.7'), await open('203.0.113.7')];
    expect([first.outcome, second.outcome]).toEqual(['open', 'open']);
    const connectedFrom = (client: string) => server!.logs.filter((entry) => entry['msg'] === 'subscriber connected' && entry['ip'] === client);
    await until(() => connectedFrom('203.0.113.7').length === 2, 'both connections logged');
    expect(connectedFrom('203.0.113.7').map((entry) => entry['worker']).sort()).toEqual([1, 2]);

    expect((await open('203.0.113.7')).outcome).toBe('429 too many connections from 203.0.113.7: at most 2 per address');
    expect((await open('198.51.100.1')).outcome).toBe('open');
    // A closed connection frees its place, whichever worker held it.
    first.socket.close();
    await until(() => server!.logs.some((entry) => entry['msg'] === 'subscriber disconnected' && entry['ip'] === '203.0.113.7'), 'the close to reach the worker');
    await until(async () => (await open('203.0.113.7')).outcome === 'open', 'the freed place to be taken', 5_000);
    expect((await open('203.0.113.7')).outcome).toBe('429 too many connections from 203.0.113.7: at most 2 per address');
  }, 60_000);
});
