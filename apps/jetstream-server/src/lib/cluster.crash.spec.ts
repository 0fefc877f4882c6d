import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeRelay, type FakeRelay } from '@jetstream-ts/fake-relay';
import { startLocalNatsServer, type LocalNatsServer } from '@jetstream-ts/nats';
import { subscribe, timeUsOf } from '../e2e/e2e-server.test-util.js';
import { describeEvent, relayLog } from './crash-relay-log.test-util.js';
import { readMetric, startServerProcess, until, type ServerProcess } from './server-process.test-util.js';

const FRAMES = 1200;
const KILLS = 2;

describe('a cluster on NATS: an ingester killed with SIGKILL mid-stream, two edges', () => {
  let dir: string;
  let nats: LocalNatsServer;
  let relay: FakeRelay | undefined;
  const processes: ServerProcess[] = [];
  const start = (args: string[]) => {
    const server = startServerProcess(args);
    processes.push(server);
    return server;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jetstream-cluster-'));
    nats = await startLocalNatsServer({ storeDir: join(dir, 'nats') });
  });
  afterEach(async () => {
    for (const server of processes) server.child.kill('SIGKILL');
    await Promise.all(processes.map((server) => server.exited));
    await relay?.close();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A full replay (`cursor` inclusive) from an edge: exactly `count` JSON texts. */
  async function replay(edge: ServerProcess, count: number, cursor = 0): Promise<string[]> {
    const { publicPort } = await edge.started;
    const subscriber = subscribe(`ws://127.0.0.1:${publicPort}/subscribe?cursor=${cursor}`);
    try {
      await subscriber.received(count, 30_000);
      return subscriber.texts();
    } finally {
      subscriber.close();
    }
  }

  it('both edges hold every relay event once, in order; their replays are byte-identical; a cursor of one resumes on the other', async () => {
    const { frames, expected } = relayLog(FRAMES);
    const fakeRelay = await startFakeRelay({ frames, rate: 600 });
    relay = fakeRelay;
    const cluster = [`--nats-url=${nats.url}`];
    const ingest = [...cluster, '--role=ingest', `--ws-url=${fakeRelay.url}`, `--data-dir=${join(dir, 'ingest')}`];
    const edge = (name: string) => [...cluster, '--role=edge', `--data-dir=${join(dir, name)}`];

    let edgeA = start(edge('edge-a'));
    await edgeA.started;
    for (let kill = 0; kill < KILLS; kill++) {
      const connectionsBefore = fakeRelay.connections.length;
      const ingester = start(ingest);
      await ingester.started;
      await until(() => fakeRelay.connections.length > connectionsBefore && (fakeRelay.connections.at(-1)?.sent ?? 0) > 0, 'the relay to send frames');
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 500));
      ingester.child.kill('SIGKILL');
      expect((await ingester.exited).signal).toBe('SIGKILL');
    }
    const ingester = start(ingest);
    const { metricsPort } = await ingester.started;
    // Edge B joins late (back-fills from the stream); edge A is killed and restarted meanwhile.
    const edgeB = start(edge('edge-b'));
    edgeA.child.kill('SIGKILL');
    await edgeA.exited;
    edgeA = start(edge('edge-a'));
    await until(async () => (await readMetric(metricsPort, 'consumer_last_seq')) === FRAMES, 'the last frame', 60_000);

    const [fromA, fromB] = await Promise.all([replay(edgeA, expected.length), replay(edgeB, expected.length)]);
    expect(fromA.map(describeEvent)).toEqual(expected);
    expect(fromB).toEqual(fromA);
    const times = fromA.map(timeUsOf);
    expect(times.every((time, index) => index === 0 || time > (times[index - 1] ?? time))).toBe(true);
    // Each restart of the ingester resumed from the cursor it recovered from the stream.
    const cursors = fakeRelay.connections.map((connection) => connection.cursor);
    expect(cursors).toHaveLength(KILLS + 1);
    expect(cursors.slice(1).every((cursor, index) => cursor !== undefined && cursor > (cursors[index] ?? 0))).toBe(true);

    // The last time_us a client saw on edge A, resumed on edge B: that event again (inclusive), then the rest.
    const seen = Math.floor(expected.length / 2);
    expect(await replay(edgeB, expected.length - seen, times[seen])).toEqual(fromA.slice(seen));
  }, 120_000);
});
