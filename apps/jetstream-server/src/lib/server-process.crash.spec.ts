import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLmdbEventStore } from '@jetstream-ts/cursor-buffer';
import { startFakeRelay, type FakeRelay } from '@jetstream-ts/fake-relay';
import { describeEvent, relayLog } from './crash-relay-log.test-util.js';
import { readMetric, startServerProcess, until, type ServerProcess } from './server-process.test-util.js';

const FRAMES = 3000;
const KILLS = 6;

/** What the store holds, read with the server stopped: events as the strings `relayLog` expects. */
async function readStore(dataDir: string) {
  const store = openLmdbEventStore({ path: join(dataDir, 'events') });
  try {
    const events = store.readFrom(0, Number.MAX_SAFE_INTEGER);
    const described = events.map((event) => describeEvent(new TextDecoder().decode(event.json)));
    return { described, times: events.map((event) => event.time_us), relayCursor: store.relayCursor() };
  } finally {
    await store.close();
  }
}

describe('jetstream-server process, killed with SIGKILL while ingesting', () => {
  let dataDir: string;
  let relay: FakeRelay | undefined;
  let server: ServerProcess | undefined;

  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'jetstream-server-crash-'))));
  afterEach(async () => {
    server?.child.kill('SIGKILL');
    await relay?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores every relay event exactly once, in relay order, with strictly increasing time_us', async () => {
    const { frames, expected } = relayLog(FRAMES);
    // Paced so that each run is killed mid-stream, during or between batch commits.
    relay = await startFakeRelay({ frames, rate: 300 });
    const args = [`--ws-url=${relay.url}`, `--data-dir=${dataDir}`];
    const cursorsAfterKills: number[] = [];

    for (let kill = 0; kill < KILLS; kill++) {
      const connectionsBefore = relay.connections.length;
      server = startServerProcess(args);
      await server.started;
      await until(() => relay!.connections.length > connectionsBefore && (relay!.connections.at(-1)?.sent ?? 0) > 0, 'the relay to send frames');
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 600));
      server.child.kill('SIGKILL');
      expect((await server.exited).signal).toBe('SIGKILL');
      const { described, relayCursor } = await readStore(dataDir);
      cursorsAfterKills.push(relayCursor ?? 0);
      // What survived is exactly a prefix of the relay's events.
      expect(described).toEqual(expected.slice(0, described.length));
    }
    // Each run made progress and was killed before the end of the log.
    expect(cursorsAfterKills.every((cursor, i) => cursor > (cursorsAfterKills[i - 1] ?? 0) && cursor < FRAMES)).toBe(true);

    // A last run to the end, stopped gracefully.
    server = startServerProcess(args);
    const { metricsPort } = await server.started;
    await until(async () => (await readMetric(metricsPort, 'consumer_last_seq')) === FRAMES, 'the last frame', 60_000);
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });

    const { described, times, relayCursor } = await readStore(dataDir);
    expect(relayCursor).toBe(FRAMES);
    expect(described).toEqual(expected);
    expect(times.every((time, i) => i === 0 || time > times[i - 1]!)).toBe(true);
    // Each reconnect resumed exactly after the committed cursor.
    expect(relay.connections.map((connection) => connection.cursor)).toEqual([undefined, ...cursorsAfterKills]);
  }, 120_000);
});
