import { join } from 'node:path';
import { CursorBuffer, openLmdbEventStore } from '@jetstream-ts/cursor-buffer';
import type { DropReport, LoggedEvent } from '@jetstream-ts/models';
import { filter, firstValueFrom, type Subscription } from 'rxjs';
import { jetstream } from '@nats-io/jetstream';
import { EdgeLag } from './edge-lag.js';
import { encodeEventMessage } from './event-message.js';
import type { EventStreamConfig } from './event-stream.js';
import { firstSequenceAfter } from './first-sequence-after.js';
import { JetStreamEventPublisher } from './jetstream-event-publisher.js';
import { frameEvents, startNatsTestEnv, type NatsTestEnv } from './nats-test-env.test-util.js';
import { replicateEventStream } from './replicate-event-stream.js';

let env: NatsTestEnv;
beforeAll(async () => (env = await startNatsTestEnv()));
afterAll(() => env.close());

/** An edge: its own lmdb store under the scratch directory, fed from the stream while running. */
class Edge {
  log: CursorBuffer;
  subscription: Subscription | undefined;
  readonly lag = new EdgeLag();
  readonly drops: DropReport[] = [];

  constructor(
    private readonly path: string,
    private readonly stream: EventStreamConfig,
  ) {
    this.log = new CursorBuffer(openLmdbEventStore({ path }));
  }

  start(): void {
    const { connection, jsm } = env;
    const drops = { drop: (report: DropReport) => this.drops.push(report) };
    this.subscription = replicateEventStream({ connection, jsm, stream: this.stream, log: this.log, lag: this.lag, drops }).subscribe();
  }

  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    await this.log.close();
  }

  async restart(): Promise<void> {
    await this.stop();
    this.log = new CursorBuffer(openLmdbEventStore({ path: this.path }));
    this.start();
  }

  /** Resolves once the edge holds the event with this `time_us`. */
  async reach(timeUs: number): Promise<void> {
    if (this.log.headTimeUs() >= timeUs) return;
    await firstValueFrom(this.log.appended.pipe(filter((head) => head >= timeUs)));
  }

  /** Every event from `cursor` (inclusive, as a v1 cursor), as comparable bytes. */
  replay(cursor = 0): { time_us: number; json: string; zstd: Buffer; did: string; collection: string }[] {
    return this.log.readFrom(cursor, 100_000).map((event) => ({
      time_us: event.time_us,
      json: new TextDecoder().decode(event.json),
      zstd: Buffer.from(event.zstd),
      did: event.did,
      collection: event.collection,
    }));
  }
}

async function publishedStream(batches: LoggedEvent[][]): Promise<{ stream: EventStreamConfig; publisher: JetStreamEventPublisher }> {
  const stream = await env.newStream();
  const publisher = await JetStreamEventPublisher.open({ connection: env.connection, jsm: env.jsm, stream });
  for (const events of batches) await publisher.append(events, events[events.length - 1].relaySeq);
  return { stream, publisher };
}

describe('replicateEventStream', () => {
  it('copies the stream into the edge store, then resumes after its own head when restarted', async () => {
    const { stream, publisher } = await publishedStream([frameEvents([[1, 3], [2, 1]], 1000), frameEvents([[3, 2]], 2000)]);
    const edge = new Edge(join(env.dir, 'edge-restart'), stream);
    edge.start();
    await edge.reach(2001);
    await edge.stop();

    await publisher.append(frameEvents([[4, 1], [5, 2]], 3000), 5);
    await edge.restart();
    await edge.reach(3002);
    expect(edge.replay().map((event) => event.time_us)).toEqual([1000, 1001, 1002, 1003, 2000, 2001, 3000, 3001, 3002]);
    expect(edge.replay()[4].json).toBe('{"did":"did:plc:aaaaaaaaaaaaaaaaaaaaaaa3","kind":"commit","commit":{"rkey":"3-0"}}');
    expect(edge.log.relayCursor()).toBe(5);
    expect(edge.drops).toEqual([]);
    expect(edge.lag.events).toBe(0);
    await edge.stop();
  });

  it('gives two edges byte-identical logs, and a cursor from one resumes exactly on the other', async () => {
    const { stream, publisher } = await publishedStream([frameEvents([[10, 2], [11, 1]], 5000)]);
    const early = new Edge(join(env.dir, 'edge-a'), stream);
    early.start();
    await early.reach(5002);
    await publisher.append(frameEvents([[12, 3]], 6000), 12);
    // The second edge joins late: it back-fills everything from the stream's retention.
    const late = new Edge(join(env.dir, 'edge-b'), stream);
    late.start();
    await Promise.all([early.reach(6002), late.reach(6002)]);

    expect(late.replay()).toEqual(early.replay());
    expect(late.replay()).toHaveLength(6);
    const cursor = early.replay()[3].time_us; // the last time_us a client saw on the early edge
    expect(late.replay(cursor).map((event) => event.time_us)).toEqual([6000, 6001, 6002]);
    expect(late.replay(cursor)).toEqual(early.replay(cursor));
    await Promise.all([early.stop(), late.stop()]);
  });

  it('refuses messages it cannot read, reporting each with its reason, and replicates the events around them', async () => {
    const stream = await env.newStream();
    const js = jetstream(env.connection);
    const [first, second] = frameEvents([[80, 1], [81, 1]], 7000);
    await js.publish(stream.subject, encodeEventMessage(first, 0));
    await js.publish(stream.subject, new Uint8Array([0x09, 0x00])); // a future format
    await js.publish(stream.subject, second.zstd); // the first release's body: a bare zstd frame
    await js.publish(stream.subject, encodeEventMessage(second, 0, 81));
    const edge = new Edge(join(env.dir, 'edge-refusing'), stream);
    edge.start();
    await edge.reach(7001);

    expect(edge.replay().map((event) => [event.time_us, event.json])).toEqual([
      [7000, '{"did":"did:plc:aaaaaaaaaaaaaaaaaaaaaa80","kind":"commit","commit":{"rkey":"80-0"}}'],
      [7001, '{"did":"did:plc:aaaaaaaaaaaaaaaaaaaaaa81","kind":"commit","commit":{"rkey":"81-0"}}'],
    ]);
    expect(edge.drops).toEqual([
      { stage: 'stream', reason: 'not_an_event', detail: 'unknown format 9; this version reads format 1', seq: 2 },
      {
        stage: 'stream',
        reason: 'not_an_event',
        detail: 'format 0 (a bare zstd frame, fields in headers): written by an older version; this one reads format 1',
        seq: 3,
      },
    ]);
    await edge.stop();
  });
});

describe('firstSequenceAfter', () => {
  it('finds the first message after a time_us by sequence, whatever the gaps between time_us', async () => {
    const events = [100, 110, 120, 130, 140].map((timeUs, index) => frameEvents([[index + 1, 1]], timeUs)[0]);
    const { stream } = await publishedStream([events]);
    const after = async (timeUs: number) => (await firstSequenceAfter(env.jsm, stream.name, timeUs)).seq;
    expect(await after(0)).toBe(1);
    expect(await after(99)).toBe(1);
    expect(await after(100)).toBe(2);
    expect(await after(115)).toBe(3);
    expect(await after(130)).toBe(5);
    expect(await after(140)).toBe(6);
    expect(await after(10_000)).toBe(6);
  });

  it('starts an empty stream at its next sequence', async () => {
    const stream = await env.newStream();
    expect(await firstSequenceAfter(env.jsm, stream.name, 50)).toEqual({ seq: 1 });
  });

  it('reports a gap when the edge is older than everything retention kept', async () => {
    const { stream } = await publishedStream([frameEvents([[1, 3]], 100)]);
    await env.jsm.streams.purge(stream.name, { keep: 1 });
    expect(await firstSequenceAfter(env.jsm, stream.name, 50)).toEqual({ seq: 3, gapBeforeTimeUs: 102 });
    expect(await firstSequenceAfter(env.jsm, stream.name, 0)).toEqual({ seq: 3 });
  });

  it('searches past messages it cannot read, as the edge refuses them (a restart on a mixed stream does not fail)', async () => {
    const stream = await env.newStream();
    const js = jetstream(env.connection);
    const [first, second, third] = frameEvents([[80, 1], [81, 1], [82, 1]], 7000);
    await js.publish(stream.subject, encodeEventMessage(first, 0));
    await js.publish(stream.subject, new Uint8Array([0x09, 0x00])); // seq 2: a future format
    await js.publish(stream.subject, first.zstd); // seq 3: format 0
    await js.publish(stream.subject, encodeEventMessage(second, 0)); // seq 4: 7001
    await js.publish(stream.subject, encodeEventMessage(third, 0)); // seq 5: 7002
    await js.publish(stream.subject, new Uint8Array([0x09])); // seq 6
    const after = async (timeUs: number) => (await firstSequenceAfter(env.jsm, stream.name, timeUs)).seq;
    // An unreadable message stands for the next readable one: starting at it only drops it again.
    expect(await after(7000)).toBe(2);
    expect(await after(7001)).toBe(5);
    expect(await after(7002)).toBe(6);
  });
});
