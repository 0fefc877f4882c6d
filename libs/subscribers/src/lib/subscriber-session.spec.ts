import { VirtualTimeScheduler, type SchedulerLike } from 'rxjs';
import { createV1Decompressor } from '@jetstream-ts/compression';
import { parseSubscribeRequest, type SubscriberOptions } from '@jetstream-ts/filtering';
import type { LoggedEvent } from '@jetstream-ts/models';
import { ALICE, BOB, createEventFactory, LIKE, MemoryEventLog, POST, type TestEventFields } from './memory-event-log.test-util.js';
import { SubscriberSession, type SessionSettings, type SubscriberSocket } from './subscriber-session.js';
import type { SubscriberMetrics } from './subscriber-metrics.js';

const makeEvent = createEventFactory();
const utf8 = new TextDecoder();

/** A socket that records what it is sent and pushes back when told to. */
class FakeSocket implements SubscriberSocket {
  readonly sent: { timeUs: number; json: string; binary: boolean; bytes: Uint8Array }[] = [];
  closed: { code: number; reason: string } | undefined;
  /** Push back after every send while set; `release()` lets the session go on. */
  stalled = false;
  private releaseStall: (() => void) | undefined;

  send(data: Uint8Array, binary: boolean): Promise<void> | undefined {
    const json = binary ? utf8.decode(createV1Decompressor().decompress(data)) : utf8.decode(data);
    this.sent.push({ timeUs: (JSON.parse(json) as { time_us: number }).time_us, json, binary, bytes: data });
    if (!this.stalled) return undefined;
    return new Promise((resolve) => (this.releaseStall = resolve));
  }

  release(): void {
    this.stalled = false;
    this.releaseStall?.();
  }

  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }

  get times(): number[] {
    return this.sent.map((message) => message.timeUs);
  }
}

/** Lets the session's promises and event-loop yields run. */
async function settle(rounds = 20): Promise<void> {
  for (let round = 0; round < rounds; round++) await new Promise((resolve) => setImmediate(resolve));
}

function optionsFor(query: string, nowUs = 1e15): SubscriberOptions {
  const result = parseSubscribeRequest(`/subscribe?${query}`, {}, { nowUs: () => nowUs });
  if (!result.ok) throw new Error(result.message);
  return result.options;
}

function fill(log: MemoryEventLog, fromUs: number, toUs: number, fields: (timeUs: number) => TestEventFields = () => ({})): void {
  for (let timeUs = fromUs; timeUs <= toUs; timeUs++) log.append(makeEvent(timeUs, fields(timeUs)));
}

const range = (fromUs: number, toUs: number): number[] => Array.from({ length: toUs - fromUs + 1 }, (_, n) => fromUs + n);

interface Harness {
  log: MemoryEventLog;
  socket: FakeSocket;
  session: SubscriberSession;
}

function startSession(
  log: MemoryEventLog,
  query = '',
  extra: { settings?: Partial<SessionSettings>; scheduler?: SchedulerLike; metrics?: SubscriberMetrics; eventsBehind?: (position: number) => number } = {},
): Harness {
  const socket = new FakeSocket();
  const session = new SubscriberSession({
    log,
    socket,
    options: optionsFor(query),
    ipAddress: '192.0.2.1',
    settings: { maxEventsPerSecond: Infinity, readBatchSize: 7, ...extra.settings },
    ...(extra.scheduler ? { scheduler: extra.scheduler } : {}),
    ...(extra.metrics ? { metrics: extra.metrics } : {}),
    ...(extra.eventsBehind ? { eventsBehind: extra.eventsBehind } : {}),
  });
  session.start();
  return { log, socket, session };
}

const sessions: SubscriberSession[] = [];
afterEach(async () => {
  for (const session of sessions.splice(0)) session.stop();
  await settle(2);
});

function track(harness: Harness): Harness {
  sessions.push(harness.session);
  return harness;
}

describe('SubscriberSession', () => {
  describe('where it starts', () => {
    it('starts after the head without a cursor', async () => {
      const log = new MemoryEventLog();
      fill(log, 1, 3);
      const { socket } = track(startSession(log));
      fill(log, 4, 5);
      await settle();
      expect(socket.times).toEqual([4, 5]);
    });

    it('replays from a cursor, inclusive, then follows the live tail', async () => {
      const log = new MemoryEventLog();
      fill(log, 1, 20);
      const { socket } = track(startSession(log, 'cursor=5'));
      await settle();
      fill(log, 21, 22);
      await settle();
      expect(socket.times).toEqual(range(5, 22));
    });

    it('starts at the oldest retained event for a cursor older than retention', async () => {
      const log = new MemoryEventLog();
      fill(log, 1, 10);
      log.trimBefore(6);
      const { socket } = track(startSession(log, 'cursor=1'));
      await settle();
      expect(socket.times).toEqual(range(6, 10));
    });

    it('treats a cursor after the head as live: the next appended events, whatever their time', async () => {
      const log = new MemoryEventLog();
      fill(log, 1, 10);
      const { socket } = track(startSession(log, 'cursor=15'));
      fill(log, 11, 12);
      await settle();
      expect(socket.times).toEqual([11, 12]);
    });

    it('reads an empty log from the start', async () => {
      const log = new MemoryEventLog();
      const { socket } = track(startSession(log, 'cursor=0'));
      fill(log, 1, 3);
      await settle();
      expect(socket.times).toEqual([1, 2, 3]);
    });
  });

  it('hands over from replay to live with no gap, duplicate or reordering while appends interleave', async () => {
    const log = new MemoryEventLog();
    fill(log, 1, 100);
    const { socket } = track(startSession(log, 'cursor=1'));
    let next = 101;
    // Interleave appends with the reader's progress: sometimes stalled, sometimes racing ahead.
    for (let step = 0; step < 60; step++) {
      socket.stalled = step % 3 === 0;
      fill(log, next, next + (step % 7));
      next += (step % 7) + 1;
      await settle(step % 4);
      if (step % 2 === 0) socket.release();
    }
    socket.release();
    await settle(50);
    expect(socket.times).toEqual(range(1, next - 1));
  });

  it('filters by collection and DID, and sends identity events past a collection filter', async () => {
    const log = new MemoryEventLog();
    const { socket } = track(startSession(log, `wantedCollections=app.bsky.feed.*&wantedDids=${ALICE}`));
    log.append(makeEvent(1, { collection: POST }));
    log.append(makeEvent(2, { collection: 'app.bsky.graph.follow' }));
    log.append(makeEvent(3, { collection: LIKE, did: BOB }));
    log.append(makeEvent(4, { kind: 'identity' }));
    log.append(makeEvent(5, { kind: 'account', did: BOB }));
    log.append(makeEvent(6, { collection: LIKE }));
    await settle();
    expect(socket.times).toEqual([1, 4, 6]);
  });

  it('sends the zstd frame as binary to compressed subscribers, and caps on its size', async () => {
    const log = new MemoryEventLog();
    const small = makeEvent(1);
    const big = makeEvent(2, { padding: 5000 });
    const cap = small.zstd.length;
    expect(small.json.length).toBeGreaterThan(cap);
    const { socket } = track(startSession(log, `compress=true&maxMessageSizeBytes=${cap}`));
    log.append(small, big);
    await settle();
    expect(socket.sent.map(({ timeUs, binary, bytes }) => ({ timeUs, binary, bytes }))).toEqual([
      { timeUs: 1, binary: true, bytes: small.zstd },
    ]);
  });

  it('caps JSON subscribers on the JSON size', async () => {
    const log = new MemoryEventLog();
    const small = makeEvent(1);
    const { socket } = track(startSession(log, `maxMessageSizeBytes=${small.json.length}`));
    log.append(small, makeEvent(2, { padding: 10 }));
    await settle();
    expect(socket.sent.map(({ timeUs, binary }) => ({ timeUs, binary }))).toEqual([{ timeUs: 1, binary: false }]);
  });

  describe('options_update', () => {
    it('replaces the filter between two events', async () => {
      const log = new MemoryEventLog();
      const harness = track(startSession(log, `wantedCollections=${POST}`));
      harness.socket.stalled = true;
      log.append(makeEvent(1, { collection: POST }), makeEvent(2, { collection: LIKE }), makeEvent(3, { collection: POST }), makeEvent(4, { collection: LIKE }));
      await settle();
      expect(harness.socket.times).toEqual([1]);
      harness.session.receive(`{"type":"options_update","payload":{"wantedCollections":["${LIKE}"]}}`, false);
      harness.socket.release();
      await settle();
      expect(harness.socket.times).toEqual([1, 2, 4]);
    });

    it('applies maxMessageSizeBytes (v1 ignored it)', async () => {
      const log = new MemoryEventLog();
      const { socket, session } = track(startSession(log));
      const small = makeEvent(1);
      session.receive(`{"type":"options_update","payload":{"maxMessageSizeBytes":${small.json.length}}}`, false);
      log.append(small, makeEvent(2, { padding: 100 }), makeEvent(3));
      await settle();
      expect(socket.times).toEqual([1, 3]);
    });

    it('closes on an invalid update, with v1\'s reason', async () => {
      const log = new MemoryEventLog();
      const { socket, session } = track(startSession(log));
      session.receive('{"type":"options_update","payload":{"wantedCollections":["nope"]}}', false);
      log.append(makeEvent(1));
      await settle();
      expect(socket.closed).toEqual({ code: 1008, reason: 'failed to parse subscriber options: invalid subscriber options: invalid collection: nope' });
      expect(socket.sent).toEqual([]);
    });

    it('ignores binary messages and other message types', async () => {
      const log = new MemoryEventLog();
      const { socket, session } = track(startSession(log));
      session.receive(new TextEncoder().encode('{"type":"options_update","payload":{"wantedCollections":["nope"]}}'), true);
      session.receive('{"type":"heartbeat"}', false);
      log.append(makeEvent(1));
      await settle();
      expect(socket.closed).toBeUndefined();
      expect(socket.times).toEqual([1]);
    });
  });

  describe('requireHello', () => {
    it('sends nothing before the first valid options_update, then everything since connecting under its filter', async () => {
      const log = new MemoryEventLog();
      fill(log, 1, 2);
      const { socket, session } = track(startSession(log, 'requireHello=true'));
      log.append(makeEvent(3, { collection: POST }), makeEvent(4, { collection: LIKE }));
      await settle();
      expect(socket.sent).toEqual([]);
      session.receive('{"type":"something_else"}', false);
      await settle();
      expect(socket.sent).toEqual([]);
      session.receive(`{"type":"options_update","payload":{"wantedCollections":["${LIKE}"]}}`, false);
      log.append(makeEvent(5, { collection: LIKE }));
      await settle();
      expect(socket.times).toEqual([4, 5]);
    });

    it('closes on an invalid hello without sending anything', async () => {
      const log = new MemoryEventLog();
      const { socket, session } = track(startSession(log, 'requireHello=true'));
      log.append(makeEvent(1));
      session.receive('{"type":"options_update","payload":{"wantedDids":["x"]}}', false);
      await settle();
      expect(socket.closed).toEqual({ code: 1008, reason: 'failed to parse subscriber options: invalid subscriber options' });
      expect(socket.sent).toEqual([]);
    });
  });

  it('limits the rate with a token bucket, on the scheduler\'s clock', async () => {
    const scheduler = new VirtualTimeScheduler(undefined, 10_000);
    const log = new MemoryEventLog();
    fill(log, 1, 5);
    const { socket } = track(
      startSession(log, 'cursor=1', { scheduler, settings: { maxEventsPerSecond: 2, sampleIntervalMs: 1e9 } }),
    );
    await settle();
    // Burst of 2 (one second's worth), then one every 500 ms of virtual time.
    const progress = [{ at: scheduler.now(), sent: socket.sent.length }];
    for (let step = 0; step < 3; step++) {
      scheduler.flush();
      await settle();
      progress.push({ at: scheduler.now(), sent: socket.sent.length });
    }
    expect(progress).toEqual([
      { at: 0, sent: 2 },
      { at: 500, sent: 3 },
      { at: 1000, sent: 4 },
      { at: 1500, sent: 5 },
    ]);
  });

  it('closes a reader that stays far behind without reading, with a reason', async () => {
    const scheduler = new VirtualTimeScheduler(undefined, 5_000);
    const log = new MemoryEventLog();
    const closedFor: string[] = [];
    const metrics = recordingMetrics();
    metrics.subscribersClosed = { inc: ({ reason }) => closedFor.push(reason) };
    const { socket } = track(
      startSession(log, 'cursor=1', {
        scheduler,
        metrics,
        eventsBehind: () => 500,
        settings: { sampleIntervalMs: 100, slowReader: { maxEventsBehind: 100, minEventsPerSecond: 5, windowMs: 2000 } },
      }),
    );
    socket.stalled = true;
    fill(log, 1, 3);
    await settle();
    expect(socket.times).toEqual([1]);
    scheduler.flush();
    expect(socket.closed).toEqual({ code: 1008, reason: 'consumer too slow: more than 100 events behind, reading 0.0 events/s for 2 s' });
    expect(closedFor).toEqual(['slow']);
    expect(metrics.lagSamples.slice(0, 3)).toEqual([500, 500, 500]);
  });

  it('closes with 1011 when the log cannot be read', async () => {
    const log = new MemoryEventLog();
    log.readFrom = () => {
      throw new Error('disk on fire');
    };
    const { socket } = track(startSession(log));
    await settle();
    expect(socket.closed).toEqual({ code: 1011, reason: 'failed to replay events' });
  });

  it('reports connections and what it sent, in the bytes sent', async () => {
    const log = new MemoryEventLog();
    const metrics = recordingMetrics();
    const { session } = track(startSession(log, 'compress=true', { metrics }));
    const events: LoggedEvent[] = [makeEvent(1), makeEvent(2, { padding: 300 })];
    log.append(...events);
    await settle();
    session.stop();
    expect(metrics.connected).toEqual([1, -1]);
    expect(metrics.events).toBe(2);
    expect(metrics.bytes).toBe(events.reduce((sum, event) => sum + event.zstd.length, 0));
    expect(metrics.labels).toEqual(new Set(['192.0.2.1']));
  });

  it('closes with 1001 when the log completes appended (it is shutting down)', async () => {
    const log = new MemoryEventLog();
    const metrics = recordingMetrics();
    const closedFor: string[] = [];
    metrics.subscribersClosed = { inc: ({ reason }) => closedFor.push(reason) };
    const { socket } = track(startSession(log, '', { metrics }));
    await settle();
    log.appended.complete();
    await settle();
    expect(socket.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(closedFor).toEqual(['log_closed']);
  });

  it('samples its lag in seconds of time_us and removes the gauge when it goes', async () => {
    const scheduler = new VirtualTimeScheduler(undefined, 100);
    const log = new MemoryEventLog();
    const lag: { labels: object; seconds?: number }[] = [];
    const metrics = recordingMetrics();
    metrics.subscriberLag = {
      set: (labels, seconds) => lag.push({ labels, seconds }),
      remove: (labels) => lag.push({ labels }),
    };
    const socket = new FakeSocket();
    socket.stalled = true;
    const session = new SubscriberSession({
      log,
      socket,
      options: optionsFor('cursor=0'),
      ipAddress: '192.0.2.1',
      subscriberId: '7',
      metrics,
      scheduler,
      settings: { maxEventsPerSecond: Infinity, sampleIntervalMs: 100 },
    });
    session.start();
    // Events 1 s apart: the session takes the first and waits on the socket.
    log.append(makeEvent(1_000_000), makeEvent(2_000_000), makeEvent(3_000_000));
    await settle();
    scheduler.flush();
    session.stop();
    const labels = { subscriber: '7', ip_address: '192.0.2.1' };
    // It has read the event at 1 s; the head is at 3 s.
    expect(lag).toEqual([{ labels, seconds: 2 }, { labels }]);
  });

  it('stops reading when stopped', async () => {
    const log = new MemoryEventLog();
    const { socket, session } = track(startSession(log));
    session.stop();
    log.append(makeEvent(1));
    await settle();
    await session.finished;
    expect(socket.sent).toEqual([]);
  });
});

function recordingMetrics() {
  const record = {
    connected: [] as number[],
    events: 0,
    bytes: 0,
    labels: new Set<string>(),
    lagSamples: [] as number[],
  };
  const metrics: SubscriberMetrics & typeof record = {
    ...record,
    subscribersConnected: {
      inc: ({ ip_address }) => (metrics.labels.add(ip_address), metrics.connected.push(1)),
      dec: () => metrics.connected.push(-1),
    },
    eventsDelivered: { inc: ({ ip_address }, value = 1) => (metrics.labels.add(ip_address), (metrics.events += value)) },
    bytesDelivered: { inc: (_labels, value = 1) => (metrics.bytes += value) },
    subscriberLagEvents: { observe: (value) => metrics.lagSamples.push(value) },
  };
  return metrics;
}
