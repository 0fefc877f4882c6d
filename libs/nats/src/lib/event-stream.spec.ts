import { createServer } from 'node:net';
import { RetentionPolicy } from '@nats-io/jetstream';
import { DEFAULT_EVENT_STREAM, ensureEventStream, eventStreamConfig } from './event-stream.js';
import { connectNats } from './nats-connection.js';
import { startNatsTestEnv, type NatsTestEnv } from './nats-test-env.test-util.js';

let env: NatsTestEnv;
beforeAll(async () => (env = await startNatsTestEnv()));
afterAll(() => env.close());

const SECOND_NS = 1_000_000_000;

describe('eventStreamConfig', () => {
  it('defaults to a day of retention, one replica and a 2-minute de-dup window', () => {
    expect(eventStreamConfig()).toEqual({ name: 'JETSTREAM_EVENTS', subject: 'jetstream.JETSTREAM_EVENTS', maxAgeMs: 86_400_000, replicas: 1, duplicateWindowMs: 120_000 });
    expect(eventStreamConfig()).toEqual(DEFAULT_EVENT_STREAM);
  });

  it('puts each stream on a subject of its own', () => {
    expect(eventStreamConfig({ name: 'EDGE_EU' }).subject).toBe('jetstream.EDGE_EU');
    expect(eventStreamConfig({ name: 'EDGE_EU', subject: 'custom.events' }).subject).toBe('custom.events');
  });

  it('caps the de-dup window at the retention, as JetStream requires', () => {
    expect(eventStreamConfig({ maxAgeMs: 60_000 }).duplicateWindowMs).toBe(60_000);
  });

  it.each([
    [{ name: 'a.b' }, 'stream name "a.b": letters, digits'],
    [{ subject: 'events.*' }, 'stream subject "events.*": dot-separated tokens'],
    [{ maxAgeMs: 10 }, 'stream retention 10 ms: at least 1 s'],
    [{ replicas: 2 }, 'stream replicas 2: 1, 3 or 5'],
  ])('rejects %j', (overrides, message) => {
    expect(() => eventStreamConfig(overrides)).toThrow(message);
  });
});

describe('ensureEventStream', () => {
  it('creates a missing stream with limits retention, file storage and the configured limits', async () => {
    const config = eventStreamConfig({ name: 'CREATED', subject: 'created.events', maxAgeMs: 3_600_000 });
    const info = await ensureEventStream(env.jsm, config);
    expect(info.config).toMatchObject({
      subjects: ['created.events'],
      retention: 'limits',
      storage: 'file',
      max_age: 3600 * SECOND_NS,
      num_replicas: 1,
      duplicate_window: 120 * SECOND_NS,
    });
  });

  it('updates the retention of an existing stream only when asked to (the ingester owns it)', async () => {
    const config = eventStreamConfig({ name: 'UPDATED', subject: 'updated.events', maxAgeMs: 3_600_000 });
    await ensureEventStream(env.jsm, config);
    const longer = { ...config, maxAgeMs: 7_200_000 };
    expect((await ensureEventStream(env.jsm, longer)).config.max_age).toBe(3600 * SECOND_NS);
    expect((await ensureEventStream(env.jsm, longer, { update: true })).config.max_age).toBe(7200 * SECOND_NS);
  });

  it('refuses a stream on another subject', async () => {
    await env.jsm.streams.add({ name: 'OTHER_SUBJECT', subjects: ['something.else'] });
    const config = eventStreamConfig({ name: 'OTHER_SUBJECT', subject: 'mine.events' });
    await expect(ensureEventStream(env.jsm, config)).rejects.toThrow(
      'stream OTHER_SUBJECT is misconfigured for the event log: its subjects are ["something.else"], expected ["mine.events"]',
    );
  });

  it('refuses a work-queue stream (it would delete events as edges read them)', async () => {
    await env.jsm.streams.add({ name: 'WORK_QUEUE', subjects: ['queue.events'], retention: RetentionPolicy.Workqueue });
    const config = eventStreamConfig({ name: 'WORK_QUEUE', subject: 'queue.events' });
    await expect(ensureEventStream(env.jsm, config)).rejects.toThrow('retention is workqueue; edges need "limits"');
  });

  it('refuses a stream capped by message count', async () => {
    await env.jsm.streams.add({ name: 'CAPPED', subjects: ['capped.events'], max_msgs: 10 });
    const config = eventStreamConfig({ name: 'CAPPED', subject: 'capped.events' });
    await expect(ensureEventStream(env.jsm, config)).rejects.toThrow('it caps messages or bytes');
  });
});

describe('connectNats', () => {
  it('names the URL when NATS is unreachable', async () => {
    const port = await closedPort();
    await expect(connectNats(`nats://127.0.0.1:${port}`, { timeoutMs: 2_000 })).rejects.toThrow(`NATS at nats://127.0.0.1:${port} is unreachable`);
  });

  it('reports the connection state', async () => {
    const { connection, state } = await connectNats(env.nats.url);
    expect(state()).toBe('connected');
    await connection.close();
    expect(state()).toBe('closed');
  });
});

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
