import { startFakeRelay, type FakeRelay } from '@jetstream-ts/fake-relay';
import { createV1Decompressor } from '@jetstream-ts/compression';
import { synthesizeFrames } from '@jetstream-ts/synthetic-firehose';
import { DEFAULT_SERVER_CONFIG } from '@jetstream-ts/server';
import { metricSample, sleep, startE2eServer, subscribe, timeUsOf, until, type E2eServer, type Subscriber } from './e2e-server.test-util.js';

/** Synthetic frames; the relay plays them `loop` times (later passes with new seqs). */
const FRAMES = 4000;
/** Relay pace, frames per second: well within what the server ingests on one loaded core. */
const RATE = 3000;

/** The server's stored events as v1 JSON, oldest first. */
function storedJson(server: E2eServer): string[] {
  return server.log.readFrom(0, Number.MAX_SAFE_INTEGER).map((event) => Buffer.from(event.json).toString('utf8'));
}

const isStrictlyIncreasing = (values: readonly number[]) => values.every((value, i) => i === 0 || value > values[i - 1]!);

describe('end to end: subscribers while the server ingests a paced relay', () => {
  let frames: Uint8Array[];
  let relay: FakeRelay | undefined;
  let server: E2eServer | undefined;
  const subscribers: Subscriber[] = [];

  function client(query: string, headers: Record<string, string> = {}): Subscriber {
    const subscriber = subscribe(server!.subscribeUrl(query), headers);
    subscribers.push(subscriber);
    return subscriber;
  }

  let lastSeq: number;

  /** A relay paced at RATE playing the frames `loop` times, and a fresh server reading it (ingest starts at once). */
  async function startIngest(loop: number): Promise<void> {
    relay = await startFakeRelay({ frames, rate: RATE, loop });
    lastSeq = FRAMES * loop;
    // The test clients stand behind 127.0.0.1 as a trusted proxy: X-Forwarded-For names each one.
    server = await startE2eServer(relay.url, { clients: { ...DEFAULT_SERVER_CONFIG.clients, trustedProxies: ['127.0.0.1'] } });
  }

  const ingestDone = () => until(() => server!.log.relayCursor() === lastSeq, `the server to ingest ${lastSeq} frames`, 30_000);

  beforeAll(() => {
    frames = [...synthesizeFrames({ frames: FRAMES, seed: 'e2e-handover', dids: 300, firstSeq: 1 })];
  });

  afterEach(async () => {
    for (const subscriber of subscribers.splice(0)) subscriber.close();
    await server?.close();
    await relay?.close();
    server = undefined;
    relay = undefined;
  });

  it('a cursor from early in the stream gets every stored and live event exactly once, in time_us order, across the replay → live handover', async () => {
    await startIngest(2);
    // Early in the stream: the 100th event, once 2000 are stored (a backlog to replay).
    await until(() => server!.log.readFrom(0, 2000).length === 2000, 'the first 2000 events to be stored');
    const cursor = server!.log.readFrom(0, 100)[99]!.time_us;
    const headAtConnect = server!.log.headTimeUs();
    const relaySentAtConnect = relay!.connections[0]!.sent;
    const catchingUp = client(`cursor=${cursor}`);
    const catchingUpCompressed = client(`cursor=${cursor}&compress=true`);
    // Heavily filtered: its last delivered event lags far behind the head (v1 loses events here).
    const catchingUpFiltered = client(`cursor=${cursor}&wantedCollections=app.bsky.graph.block`);
    // No cursor: live from the head as it stands when the server takes the connection.
    const liveTail = client('');

    await ingestDone();
    const stored = storedJson(server!);
    const expected = stored.filter((json) => timeUsOf(json) >= cursor);
    await catchingUp.received(expected.length);
    await catchingUpCompressed.received(expected.length);
    const expectedFiltered = expected.filter((json) => {
      const event = JSON.parse(json) as { kind: string; commit?: { collection: string } };
      return event.kind !== 'commit' || event.commit!.collection === 'app.bsky.graph.block';
    });
    await catchingUpFiltered.received(expectedFiltered.length);
    await until(() => liveTail.messages.length > 0, 'the live-tail client to receive an event');
    await sleep(500);

    // It connected mid-ingest, with stored events to replay and live ones still to come.
    expect(relaySentAtConnect).toBeLessThan(lastSeq);
    const times = expected.map(timeUsOf);
    const replayed = times.filter((time) => time <= headAtConnect).length;
    expect(replayed).toBeGreaterThan(0);
    expect(times.length - replayed).toBeGreaterThan(lastSeq / 4);

    expect(isStrictlyIncreasing(times)).toBe(true);
    expect(catchingUp.texts()).toEqual(expected);
    expect(catchingUpCompressed.messages.every((message) => message.binary)).toBe(true);
    const decompressor = createV1Decompressor();
    expect(catchingUpCompressed.messages.map((message) => Buffer.from(decompressor.decompress(message.data)).toString('utf8'))).toEqual(expected);
    expect(expectedFiltered.some((json) => json.includes('"kind":"commit"'))).toBe(true);
    expect(catchingUpFiltered.texts()).toEqual(expectedFiltered);
    // The live tail: everything after some point at or after the head at connect time, no gap.
    const live = liveTail.texts();
    expect(timeUsOf(live[0]!)).toBeGreaterThan(headAtConnect);
    expect(live).toEqual(stored.slice(stored.length - live.length));

    // A replay of everything after ingest agrees: the same events, the catching-up client's a suffix.
    const afterwards = client('cursor=0');
    await afterwards.received(stored.length);
    await sleep(300);
    expect(afterwards.texts()).toEqual(stored);
    expect(afterwards.texts().slice(stored.length - expected.length)).toEqual(catchingUp.texts());
    console.info(
      `handover: cursor at event 100, connected with ${relaySentAtConnect} of ${lastSeq} frames sent; ` +
        `${replayed} events replayed, ${times.length - replayed} after the head at connect time; the live tail got ${live.length}`,
    );
  }, 60_000);

  it('a stalled reader (socket paused) does not hold back the fast ones: they get everything while it is paused; it gets everything once it reads again', async () => {
    // About 8 MB of JSON: more than the kernel buffers of a paused loopback connection hold.
    await startIngest(4);
    // X-Forwarded-For (127.0.0.1 is trusted) names each client: its own metric series and rate bucket.
    const stalled = client('cursor=0', { 'X-Forwarded-For': '10.0.0.99' });
    stalled.socket.once('message', () => stalled.socket.pause());
    const fast = [
      client('cursor=0', { 'X-Forwarded-For': '10.0.0.1' }),
      client('cursor=0', { 'X-Forwarded-For': '10.0.0.2' }),
      client('cursor=0&compress=true', { 'X-Forwarded-For': '10.0.0.3' }),
    ];
    await Promise.all([stalled, ...fast].map((subscriber) => new Promise((resolve) => subscriber.socket.once('open', resolve))));

    await ingestDone();
    const stored = storedJson(server!);
    for (const subscriber of fast) await subscriber.received(stored.length);
    await sleep(300);

    for (const subscriber of fast.slice(0, 2)) expect(subscriber.texts()).toEqual(stored);
    const decompressor = createV1Decompressor();
    expect(fast[2]!.messages.map((message) => Buffer.from(decompressor.decompress(message.data)).toString('utf8'))).toEqual(stored);

    // The stalled reader really was held back by the server (not just buffered by the kernel).
    const stalledDelivered = await metricSample(server!.metricsUrl, 'jetstream_events_delivered_total{ip_address="10.0.0.99"}');
    expect(stalledDelivered).toBeLessThan(stored.length);
    expect(await metricSample(server!.metricsUrl, 'jetstream_events_delivered_total{ip_address="10.0.0.1"}')).toBe(stored.length);

    stalled.socket.resume();
    await stalled.received(stored.length);
    await sleep(300);
    expect(stalled.texts()).toEqual(stored);
    console.info(`stalled reader: the server had sent it ${stalledDelivered} of ${stored.length} events when the others were done`);
  }, 60_000);
});
