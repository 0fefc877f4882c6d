import { randomBytes } from 'node:crypto';
import { createV1Compressor } from '@jetstream-ts/compression';
import type { LoggedEvent } from '@jetstream-ts/models';
import { eventStreamConfig } from './event-stream.js';
import { JetStreamEventPublisher } from './jetstream-event-publisher.js';
import { frameEvents, frameOps, readStream, startNatsTestEnv, type NatsTestEnv } from './nats-test-env.test-util.js';

let env: NatsTestEnv;
beforeAll(async () => (env = await startNatsTestEnv()));
afterAll(() => env.close());

const open = (stream: Awaited<ReturnType<NatsTestEnv['newStream']>>) =>
  JetStreamEventPublisher.open({ connection: env.connection, jsm: env.jsm, stream, retryForMs: 0 });

describe('JetStreamEventPublisher', () => {
  it('starts an empty stream with no head and no relay cursor', async () => {
    const publisher = await open(await env.newStream());
    expect(publisher.headTimeUs()).toBe(0);
    expect(publisher.relayCursor()).toBeUndefined();
  });

  it('publishes one message per event: time_us, frame, filter fields and zstd in the body, the cursor on the last', async () => {
    const stream = await env.newStream();
    const publisher = await open(stream);
    const events = frameEvents([[10, 1], [11, 3]], 1000);
    await publisher.append(events, 12);

    const stored = await readStream(env.jsm, stream.name);
    const did10 = 'did:plc:aaaaaaaaaaaaaaaaaaaaaa10';
    const did11 = 'did:plc:aaaaaaaaaaaaaaaaaaaaaa11';
    expect(stored.map(({ zstd: _zstd, ...fields }) => fields)).toEqual([
      { time_us: 1000, did: did10, kind: 'commit', collection: 'app.bsky.feed.like', relaySeq: 10, op: 0, relayCursor: undefined },
      { time_us: 1001, did: did11, kind: 'commit', collection: 'app.bsky.feed.like', relaySeq: 11, op: 0, relayCursor: undefined },
      { time_us: 1002, did: did11, kind: 'commit', collection: 'app.bsky.feed.post', relaySeq: 11, op: 1, relayCursor: undefined },
      { time_us: 1003, did: did11, kind: 'commit', collection: 'app.bsky.feed.like', relaySeq: 11, op: 2, relayCursor: 12 },
    ]);
    stored.forEach((message, index) => expect(Buffer.from(message.zstd)).toEqual(Buffer.from(events[index].zstd)));
    expect(publisher.headTimeUs()).toBe(1003);
    expect(publisher.relayCursor()).toBe(12);
  });

  it('sends only the headers JetStream acts on: the de-dup id (base 36) and the expected last sequence', async () => {
    const stream = await env.newStream();
    const publisher = await open(stream);
    await publisher.append(frameEvents([[35, 2]], 1000), 35);
    const second = await env.jsm.streams.getMessage(stream.name, { seq: 2 });
    expect([...(second?.header.keys() ?? [])]).toEqual(['Nats-Msg-Id', 'Nats-Expected-Last-Sequence']);
    expect(second?.header.get('Nats-Msg-Id')).toBe('z:1');
    expect(second?.header.get('Nats-Expected-Last-Sequence')).toBe('1');
  });

  it('recovers the head and the relay cursor from the stream when it restarts', async () => {
    const stream = await env.newStream();
    const first = await open(stream);
    await first.append(frameEvents([[5, 2]], 700), 5);
    await first.append(frameEvents([[6, 1], [7, 1]], 800), 9);
    await first.append([], 11); // frames without events: not recorded, read again after a restart

    const restarted = await open(stream);
    expect(restarted.headTimeUs()).toBe(801);
    expect(restarted.relayCursor()).toBe(9);
  });

  it('restarts on a stream whose last event has an empty collection and DID (op path "/rkey", repo "": v1 emits them)', async () => {
    const stream = await env.newStream();
    const first = await open(stream);
    const [event] = frameEvents([[8, 1]], 900);
    await first.append([{ ...event, did: '', collection: '' }], 8);

    const restarted = await open(stream);
    expect(restarted.headTimeUs()).toBe(900);
    expect(restarted.relayCursor()).toBe(8);
  });

  it('after a crash halfway through a frame, reads that frame again and publishes only its missing ops', async () => {
    const stream = eventStreamConfig({ name: 'CRASH', subject: 'crash.events' });
    // A size limit makes JetStream refuse the big op: the append stops there, as if the process died.
    await env.jsm.streams.add({ name: stream.name, subjects: [stream.subject], max_msg_size: 1500 });
    const crashing = await open(stream);
    await crashing.append(frameEvents([[20, 1], [21, 3]], 100), 21);
    const withBigOp = (events: LoggedEvent[]) => events.map((event) => (event.relaySeq === 23 && event.json.length < 2000 ? withPayload(event) : event));
    const big = withBigOp(frameEvents([[22, 2], [23, 3]], 200));
    await expect(crashing.append(big, 23)).rejects.toThrow(/publishing to stream CRASH failed/);
    expect(frameOps(await readStream(env.jsm, stream.name))).toEqual(['20:0', '21:0', '21:1', '21:2', '22:0', '22:1']);

    await env.jsm.streams.update(stream.name, { max_msg_size: -1 });
    const restarted = await open(stream);
    expect(restarted.headTimeUs()).toBe(201);
    expect(restarted.relayCursor()).toBe(21); // frame 22 is whole, but its append was not: resume before its last frame
    // The relay sends frames 22 on again; the ingester gives them new time_us above the head.
    const reread = withBigOp(frameEvents([[22, 2], [23, 3], [24, 1]], 300));
    await restarted.append(reread, 24);

    const stored = await readStream(env.jsm, stream.name);
    expect(frameOps(stored)).toEqual(['20:0', '21:0', '21:1', '21:2', '22:0', '22:1', '23:0', '23:1', '23:2', '24:0']);
    expect(stored.map((message) => message.time_us)).toEqual([100, 101, 102, 103, 200, 201, 302, 303, 304, 305]);
    expect(Buffer.from(stored[7].zstd)).toEqual(Buffer.from(reread[3].zstd));
    expect(stored[9].relayCursor).toBe(24);
  });

  it('after a crash inside a frame, skips the ops of that frame already stored', async () => {
    const stream = eventStreamConfig({ name: 'CRASH_IN_FRAME', subject: 'crash.in.frame.events' });
    await env.jsm.streams.add({ name: stream.name, subjects: [stream.subject], max_msg_size: 1500 });
    const crashing = await open(stream);
    const events = frameEvents([[30, 4]], 100);
    await expect(crashing.append([events[0], events[1], withPayload(events[2]), events[3]], 30)).rejects.toThrow();

    await env.jsm.streams.update(stream.name, { max_msg_size: -1 });
    const restarted = await open(stream);
    expect(restarted.relayCursor()).toBe(29);
    await restarted.append([], 29); // a commit without events first (an #info frame) changes nothing
    await restarted.append(frameEvents([[30, 4], [31, 1]], 200), 31);
    const stored = await readStream(env.jsm, stream.name);
    expect(frameOps(stored)).toEqual(['30:0', '30:1', '30:2', '30:3', '31:0']);
    expect(stored.map((message) => message.time_us)).toEqual([100, 101, 202, 203, 204]);
  });

  it('stores events published twice once (the second attempt finds them in the stream)', async () => {
    const stream = await env.newStream();
    const [one, two] = [await open(stream), await open(stream)];
    const events = frameEvents([[40, 2], [41, 1]], 500);
    await one.append(events, 41);
    await two.append(events, 41);
    expect(frameOps(await readStream(env.jsm, stream.name))).toEqual(['40:0', '40:1', '41:0']);
    expect(two.headTimeUs()).toBe(502);
  });

  it('refuses to interleave with a second ingester publishing other events', async () => {
    const stream = await env.newStream();
    const [one, two] = [await open(stream), await open(stream)];
    await one.append(frameEvents([[50, 1]], 500), 50);
    await expect(two.append(frameEvents([[60, 1]], 600), 60)).rejects.toThrow(/another publisher: run exactly one ingester per stream/);
    expect(frameOps(await readStream(env.jsm, stream.name))).toEqual(['50:0']);
  });

  it('rejects events that do not continue above the head, publishing nothing', async () => {
    const stream = await env.newStream();
    const publisher = await open(stream);
    await publisher.append(frameEvents([[70, 1]], 900), 70);
    await expect(publisher.append(frameEvents([[71, 1]], 900), 71)).rejects.toThrow(RangeError);
    expect(frameOps(await readStream(env.jsm, stream.name))).toEqual(['70:0']);
  });

  it('rejects a stream holding messages that are not events', async () => {
    const stream = await env.newStream();
    await env.connection.request(stream.subject, new Uint8Array([1]));
    await expect(open(stream)).rejects.toThrow(`stream ${stream.name} is misconfigured for the event log: message 1 is not an event (format 1: truncated flags)`);
  });

  it('rejects a stream written by the first release (fields in headers, a bare zstd frame as body)', async () => {
    const stream = await env.newStream();
    await env.connection.request(stream.subject, compressor.compress(new TextEncoder().encode('{}')));
    await expect(open(stream)).rejects.toThrow(/message 1 is not an event \(format 0 \(a bare zstd frame, fields in headers\): written by an older version; this one reads format 1\)/);
  });
});

const compressor = createV1Compressor();

/** The event with a JSON of ~3 KB that zstd cannot shrink below the test stream's 1,500-byte limit. */
function withPayload(event: LoggedEvent): LoggedEvent {
  const json = new TextEncoder().encode(`{"noise":"${randomBytes(1500).toString('hex')}"}`);
  return { ...event, json, zstd: compressor.compress(json) };
}
