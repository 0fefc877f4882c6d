import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeRelay, type FakeRelay } from '@jetstream-ts/fake-relay';
import { synthesizeFrames } from '@jetstream-ts/synthetic-firehose';
import { startAtcute, startSkyware, summarize, type LibraryClient } from './client-libraries.test-util.js';
import { sleep, startE2eServer, subscribe, timeUsOf, until, type E2eServer, type Subscriber } from './e2e-server.test-util.js';

const FRAMES = 4000;
const RATE = 2000;

/** `received` with one repeat of the event at `index` removed: what a v1 client sees across a reconnect. */
function withoutRepeatAt(received: readonly string[], index: number): string[] {
  return [...received.slice(0, index), ...received.slice(index + 1)];
}

/** Where an entry equals the one before it (the inclusive cursor's repeat), or -1. */
const repeatIndex = (received: readonly string[]) => received.findIndex((entry, i) => i > 0 && entry === received[i - 1]);

describe('end to end: clients across a server restart mid-ingest (same data dir, same port)', () => {
  let dataDir: string;
  let relay: FakeRelay | undefined;
  let server: E2eServer | undefined;
  const subscribers: Subscriber[] = [];
  const libraryClients: LibraryClient[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'jetstream-e2e-restart-'));
  });

  afterAll(async () => {
    for (const subscriber of subscribers) subscriber.close();
    for (const client of libraryClients) await client.close();
    await server?.close();
    await relay?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a client resuming with its last time_us loses nothing; the inclusive cursor repeats exactly that one event', async () => {
    relay = await startFakeRelay({ frames: [...synthesizeFrames({ frames: FRAMES, seed: 'e2e-restart', dids: 200, firstSeq: 1 })], rate: RATE });
    server = await startE2eServer(relay.url, { dataDir });
    const port = Number(new URL(server.baseUrl).port);

    const plain = subscribe(server.subscribeUrl('cursor=0'));
    subscribers.push(plain);
    // The libraries reconnect by themselves, with their last time_us as the cursor.
    const skyware = startSkyware(server.subscribeUrl('cursor=0'));
    const atcute = startAtcute(server.baseUrl, { cursor: 0, reconnectDelayMs: { min: 100, max: 500 } });
    libraryClients.push(skyware, atcute);

    await until(() => [plain.messages, skyware.received, atcute.received].every((got) => got.length >= 1000), 'each client to get 1000 events');
    const closeCode = plain.closed;
    await server.close();
    const relayCursorAtStop = relay.connections[0]!.lastSeq!;
    expect(await closeCode).toBe(1001);
    const beforeRestart = plain.texts();

    // The same data dir and port: the server resumes the relay at its committed cursor.
    server = await startE2eServer(relay.url, { dataDir, listenAddr: { host: '127.0.0.1', port } });
    const resumed = subscribe(server.subscribeUrl(`cursor=${timeUsOf(beforeRestart.at(-1)!)}`));
    subscribers.push(resumed);
    await until(() => server!.log.relayCursor() === FRAMES, `the server to ingest all ${FRAMES} frames`, 30_000);
    const stored = server.log.readFrom(0, Number.MAX_SAFE_INTEGER).map((event) => Buffer.from(event.json).toString('utf8'));
    const storedSummaries = stored.map((json) => summarize(JSON.parse(json)));

    // It was stopped mid-ingest, and time_us kept increasing across the restart.
    expect(relayCursorAtStop).toBeLessThan(FRAMES);
    const times = stored.map(timeUsOf);
    expect(times.every((time, i) => i === 0 || time > times[i - 1]!)).toBe(true);

    const afterRestartCount = stored.length - beforeRestart.length + 1;
    await resumed.received(afterRestartCount, 30_000);
    await until(() => skyware.received.length > stored.length && atcute.received.length > stored.length, 'the libraries to reconnect and catch up', 30_000);
    await sleep(300);

    expect(resumed.texts()[0]).toBe(beforeRestart.at(-1));
    expect([...beforeRestart, ...resumed.texts().slice(1)]).toEqual(stored);
    for (const client of [skyware, atcute]) {
      expect(client.received).toHaveLength(stored.length + 1);
      expect(withoutRepeatAt(client.received, repeatIndex(client.received))).toEqual(storedSummaries);
    }
    // The libraries' errors are the refused reconnects while the server was down, if any.
    expect(atcute.errors).toEqual([]);
  }, 60_000);
});
