import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CursorBuffer, openLmdbEventStore, type EventStore } from '@jetstream-ts/cursor-buffer';
import { startFakeRelay, type FakeRelay } from '@jetstream-ts/fake-relay';
import { identityFrame, infoFrame, syncFrame } from '@jetstream-ts/testkit';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { serverConfig, type ServerConfig } from './server-config.js';
import { createServerContainer, resolveJetstreamServer } from './container.js';
import type { JetstreamServer } from './jetstream-server.js';
import { until } from '@jetstream-ts/testkit';
import { TOKENS } from './tokens.js';

const TIME = '2024-01-01T00:00:00.000Z';
const identity = (seq: number) => identityFrame({ seq, did: `did:plc:${seq}`, time: TIME });
const sync = (seq: number) => syncFrame({ seq, did: 'did:plc:s', blocks: new Uint8Array(), rev: 'r', time: TIME });

function configFor(relay: FakeRelay, dataDir: string, overrides: Partial<ServerConfig> = {}): ServerConfig {
  return serverConfig({ wsUrl: relay.url, listenAddr: { host: '127.0.0.1', port: 0 }, metricsListenAddr: { host: '127.0.0.1', port: 0 }, dataDir, ...overrides });
}

/** A server on loopback; `log` is its event log, to watch what it committed. */
function serverFor(config: ServerConfig): { server: JetstreamServer; log: CursorBuffer } {
  const container = createServerContainer(config);
  container.register(TOKENS.logger, { useValue: pino({ level: 'silent' }) });
  const log = container.resolve(TOKENS.eventLog);
  return { server: resolveJetstreamServer(container), log };
}

/** Opens the store the server wrote, reads it all, and closes it. */
async function storedEvents(dataDir: string) {
  const store = openLmdbEventStore({ path: join(dataDir, 'events') });
  try {
    return { dids: store.readFrom(0, 10_000).map((event) => event.did), times: store.readFrom(0, 10_000).map((event) => event.time_us), relayCursor: store.relayCursor() };
  } finally {
    await store.close();
  }
}

describe('JetstreamServer', () => {
  let dataDir: string;
  let relay: FakeRelay;
  let server: JetstreamServer | undefined;

  /** Starts a server (the one `afterEach` stops) and waits until it committed relay seq `cursor`. */
  async function startUntilCommitted(config: ServerConfig, cursor: number): Promise<{ running: JetstreamServer; log: CursorBuffer }> {
    const { server: running, log } = serverFor(config);
    server = running;
    await running.start();
    await until(() => log.relayCursor() === cursor, `relay seq ${cursor} to be committed`);
    return { running, log };
  }

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'jetstream-server-'));
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    await relay?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves v1 HTTP: welcome text, CORS, JSON 404 and 405', async () => {
    relay = await startFakeRelay({ frames: [] });
    ({ server } = serverFor(configFor(relay, dataDir)));
    await server.start();
    const base = `http://127.0.0.1:${server.publicAddress!.port}`;

    const welcome = await fetch(`${base}/`, { headers: { Origin: 'https://example.com' } });
    expect(welcome.status).toBe(200);
    expect(welcome.headers.get('content-type')).toBe('text/plain; charset=UTF-8');
    expect(welcome.headers.get('access-control-allow-origin')).toBe('*');
    expect(await welcome.text()).toBe('Welcome to Jetstream');

    const preflight = await fetch(`${base}/subscribe`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://example.com', 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,HEAD,OPTIONS');

    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(await missing.text()).toBe('{"message":"Not Found"}\n');

    const post = await fetch(`${base}/`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(await post.json()).toEqual({ message: 'Method Not Allowed' });
  });

  it('reads a /subscribe query of 10,000 wantedDids (Go allows 1 MiB of headers, Node 16 KiB)', async () => {
    relay = await startFakeRelay({ frames: [] });
    ({ server } = serverFor(configFor(relay, dataDir)));
    await server.start();
    const dids = Array.from({ length: 10_000 }, (_, i) => `wantedDids=did:plc:${String(i).padStart(24, 'a')}`);
    const tooMany = [...dids, 'wantedDids=did:plc:bbbbbbbbbbbbbbbbbbbbbbbb'];
    const base = `http://127.0.0.1:${server.publicAddress!.port}/subscribe`;

    // Validation runs before the upgrade: a plain GET that passes it gets gorilla's "Bad Request".
    const accepted = await fetch(`${base}?${dids.join('&')}`);
    expect(accepted.status).toBe(400);
    expect(await accepted.text()).toBe('Bad Request\n');
    const refused = await fetch(`${base}?${tooMany.join('&')}`);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toBe('invalid subscriber options: too many wanted DIDs');
  });

  it('serves /metrics, /healthz and /readyz on the metrics listener; ready once frames arrive', async () => {
    relay = await startFakeRelay({ frames: [] });
    ({ server } = serverFor(configFor(relay, dataDir)));
    await server.start();
    const base = `http://127.0.0.1:${server.metricsAddress!.port}`;
    const metricsText = async () => (await fetch(`${base}/metrics`)).text();
    await until(async () => (await metricsText()).includes(`jetstream_relay_connected{socket_url="${relay.url}"} 1`), 'the relay connection');
    const text = await metricsText();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toMatch(/^jetstream_store_size_bytes [1-9]\d*$/m);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // Connected, but no frame yet: not ready.
    const silent = await fetch(`${base}/readyz`);
    expect([silent.status, await silent.text()]).toEqual([503, 'not ready: no frame from the relay yet\n']);
    relay.append([identity(1)]);
    await until(async () => (await fetch(`${base}/readyz`)).status === 200, '/readyz to answer 200 after a frame');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('ingests the relay into the store: events in relay order, the cursor past frames without events', async () => {
    relay = await startFakeRelay({ frames: [identity(1), sync(2), identity(3), infoFrame({ name: 'OutdatedCursor' }), identity(4), sync(5)] });
    await startUntilCommitted(configFor(relay, dataDir), 5);
    await server?.stop();
    const stored = await storedEvents(dataDir);
    expect(stored.dids).toEqual(['did:plc:1', 'did:plc:3', 'did:plc:4']);
    expect(stored.relayCursor).toBe(5);
  });

  it('resumes after a restart from the committed cursor, continuing time_us above the stored head', async () => {
    relay = await startFakeRelay({ frames: [identity(1), identity(2)] });
    await startUntilCommitted(configFor(relay, dataDir), 2);
    await server?.stop();

    relay.append([identity(3), sync(4), identity(5)]);
    await startUntilCommitted(configFor(relay, dataDir), 5);
    await server?.stop();
    expect(relay.connections[1]?.cursor).toBe(2);
    const stored = await storedEvents(dataDir);
    expect(stored.dids).toEqual(['did:plc:1', 'did:plc:2', 'did:plc:3', 'did:plc:5']);
    expect(stored.relayCursor).toBe(5);
    expect(stored.times.every((time, i) => i === 0 || time > stored.times[i - 1]!)).toBe(true);
  });

  it('keeps the stored cursor when a relay rejects it as FutureCursor: retries from it, never goes live', async () => {
    relay = await startFakeRelay({ frames: [identity(1), identity(2), identity(3)] });
    await startUntilCommitted(configFor(relay, dataDir), 3);
    await server?.stop();
    await relay.close();

    // A relay whose sequence is behind the stored cursor (reset, or a spurious FutureCursor).
    relay = await startFakeRelay({ frames: [identity(1), sync(2)] });
    const { log } = await startUntilCommitted(configFor(relay, dataDir), 3);
    await until(() => relay.connections.length >= 2, 'a retry after the backoff');
    expect(log.relayCursor()).toBe(3);
    await server?.stop();
    expect(relay.connections.slice(0, 2).map((connection) => connection.cursor)).toEqual([3, 3]);
    expect((await storedEvents(dataDir)).dids).toEqual(['did:plc:1', 'did:plc:2', 'did:plc:3']);
  });

  it('starts from --override-relay-cursor instead of the stored cursor', async () => {
    relay = await startFakeRelay({ frames: [identity(1), identity(2), identity(3)] });
    await startUntilCommitted(configFor(relay, dataDir, { overrideRelayCursor: 1 }), 3);
    await server?.stop();
    expect(relay.connections[0]?.cursor).toBe(1);
    expect((await storedEvents(dataDir)).dids).toEqual(['did:plc:2', 'did:plc:3']);
  });

  it('serves the stored events on /subscribe as v1 JSON, and ends subscriber connections on stop', async () => {
    relay = await startFakeRelay({ frames: [identity(1), sync(2), identity(3)] });
    const { running, log } = await startUntilCommitted(configFor(relay, dataDir), 3);
    const [first] = log.readFrom(0, 1);
    const socket = new WebSocket(`ws://127.0.0.1:${running.publicAddress!.port}/subscribe?cursor=${first!.time_us}`);
    const messages: string[] = [];
    socket.on('message', (data) => messages.push(String(data)));
    await until(() => messages.length === 2, 'two events');
    const events = log.readFrom(0, 10);
    expect(messages).toEqual([
      `{"did":"did:plc:1","time_us":${events[0]!.time_us},"kind":"identity","identity":{"did":"did:plc:1","seq":1,"time":"${TIME}"}}`,
      `{"did":"did:plc:3","time_us":${events[1]!.time_us},"kind":"identity","identity":{"did":"did:plc:3","seq":3,"time":"${TIME}"}}`,
    ]);
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await server?.stop();
    expect(await closed).toBe(1001);
  });

  it('counts ingest in the v1 metrics', async () => {
    relay = await startFakeRelay({ frames: [identity(1), sync(2), identity(3), Uint8Array.of(0xff)] });
    const { running } = await startUntilCommitted(configFor(relay, dataDir), 3);
    const metrics = await (await fetch(`http://127.0.0.1:${running.metricsAddress!.port}/metrics`)).text();
    const socketUrl = `socket_url="${relay.url}"`;
    expect(metrics).toContain(`consumer_events_processed_total{${socketUrl},event_type="identity"} 2`);
    expect(metrics).toContain(`consumer_last_seq{${socketUrl}} 3`);
    expect(metrics).toMatch(/consumer_events_sequenced_total\{[^}]*\} 2/);
    expect(metrics).toMatch(/consumer_events_persisted_total\{[^}]*\} 2/);
    expect(metrics).toContain('jetstream_events_emitted_total 2');
    expect(metrics).toContain('jetstream_dropped_input_total{stage="frame",reason="invalid-frame"} 1');
  });

  it('reports failure when the store rejects a commit', async () => {
    relay = await startFakeRelay({ frames: [identity(1)] });
    const container = createServerContainer(configFor(relay, dataDir));
    container.register(TOKENS.logger, { useValue: pino({ level: 'silent' }) });
      const store = openLmdbEventStore({ path: join(dataDir, 'events') });
    const failingStore: EventStore = {
      append: () => Promise.reject(new Error('disk full')),
      relayCursor: () => store.relayCursor(),
      readFrom: (from, limit) => store.readFrom(from, limit),
      headTimeUs: () => store.headTimeUs(),
      oldestTimeUs: () => store.oldestTimeUs(),
      trimOlderThan: (timeUs) => store.trimOlderThan(timeUs),
      close: () => store.close(),
    };
    container.register(TOKENS.eventLog, { useValue: new CursorBuffer(failingStore) });
    server = resolveJetstreamServer(container);
    await server.start();
    await expect(server.failed).rejects.toThrow('disk full');
  });
});
