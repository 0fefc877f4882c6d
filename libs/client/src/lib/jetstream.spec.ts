import { jest } from '@jest/globals';
import { firstValueFrom, map, take, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { jetstream, JetstreamError, type JetstreamStatus } from './jetstream.js';
import { likeJson, scriptedSockets, settle } from './scripted-socket.test-util.js';

const url = 'ws://127.0.0.1:6008';
const closed = (code: number, reason = '') => ({ type: 'closed' as const, code, reason });

describe('jetstream: reconnects', () => {
  it('resumes from the last delivered time_us after the backoff and drops the one event the cursor repeats', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ expectObservable }) => {
      const { opener, connections } = scriptedSockets();
      const at = (ms: number, step: () => void) => scheduler.schedule(step, ms);
      const stream = jetstream({ url, cursor: 5, socket: opener, scheduler, random: () => 0.5, reconnect: { initialDelayMs: 100 } });
      at(1, () => connections[0]!.open());
      at(2, () => connections[0]!.event(likeJson(10)));
      at(3, () => connections[0]!.event(likeJson(11)));
      at(5, () => connections[0]!.end(closed(1001, 'going away')));
      // 100 ms nominal × (0.5 + 0.5 / 2) = 75 ms after the close: the second connection opens at 80.
      at(81, () => {
        expect(connections.map((connection) => connection.url)).toEqual([
          'ws://127.0.0.1:6008/subscribe?cursor=5',
          'ws://127.0.0.1:6008/subscribe?cursor=11',
        ]);
        connections[1]!.open();
        connections[1]!.event(likeJson(11));
        connections[1]!.event(likeJson(12));
      });
      expectObservable(stream.pipe(map((event) => event.time_us)), '^ 99ms !').toBe('2ms a b 77ms c', { a: 10, b: 11, c: 12 });
    });
  });

  it('doubles the delay while connections fail, and starts over once one delivered', () => {
    const scheduler = new TestScheduler(() => undefined);
    const delays: number[] = [];
    scheduler.run(() => {
      const { opener, connections } = scriptedSockets();
      const onStatus = (status: JetstreamStatus) => status.type === 'disconnected' && delays.push(status.retryInMs);
      jetstream({ url, socket: opener, scheduler, random: () => 0, reconnect: { initialDelayMs: 100 }, onStatus }).subscribe();
      const refuse = (index: number) => connections[index]!.end({ type: 'failed', error: 'connect ECONNREFUSED' });
      scheduler.schedule(() => refuse(0), 1);
      scheduler.schedule(() => refuse(1), 60);
      scheduler.schedule(() => refuse(2), 200);
      scheduler.schedule(() => {
        connections[3]!.open();
        connections[3]!.event(likeJson(1));
        connections[3]!.end(closed(1006));
      }, 500);
      scheduler.schedule(() => refuse(4), 600);
    });
    expect(delays).toEqual([50, 100, 200, 50, 100]);
  });

  it('without a cursor, resumes from when it first connected if nothing was delivered yet', async () => {
    jest.spyOn(Date, 'now').mockReturnValue(1_700_000_000_123);
    try {
      const { opener, connections } = scriptedSockets();
      const subscription = jetstream({ url, socket: opener, reconnect: { initialDelayMs: 1 } }).subscribe();
      connections[0]!.open();
      connections[0]!.end(closed(1006));
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(connections[0]!.url).toBe('ws://127.0.0.1:6008/subscribe');
      expect(connections[1]!.url).toBe('ws://127.0.0.1:6008/subscribe?cursor=1700000000123000');
      subscription.unsubscribe();
      expect(connections[1]!.closedByClient).toBe(true);
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('sends cursor 0 as given (everything retained) and delivers the event at the cursor itself', async () => {
    const { opener, connections } = scriptedSockets();
    const events = firstValueFrom(jetstream({ url, cursor: 0, socket: opener }).pipe(take(2), toArray()));
    connections[0]!.open();
    connections[0]!.event(likeJson(0));
    connections[0]!.event(likeJson(1));
    expect(connections[0]!.url).toBe('ws://127.0.0.1:6008/subscribe?cursor=0');
    expect((await events).map((event) => event.time_us)).toEqual([0, 1]);
  });

  it('reconnects when neither an event nor a ping came for the liveness timeout', () => {
    const scheduler = new TestScheduler(() => undefined);
    const reasons: string[] = [];
    scheduler.run(() => {
      const { opener, connections } = scriptedSockets();
      const onStatus = (status: JetstreamStatus) => status.type === 'disconnected' && reasons.push(status.reason);
      jetstream({ url, socket: opener, scheduler, livenessTimeoutMs: 100, onStatus }).subscribe();
      scheduler.schedule(() => connections[0]!.open(), 0);
      scheduler.schedule(() => connections[0]!.ping(), 90);
      scheduler.schedule(() => connections[0]!.event(likeJson(1)), 180);
      // Quiet from 180 on: dropped at 280.
      scheduler.schedule(() => expect(connections).toHaveLength(1), 279);
    });
    expect(reasons).toEqual(['no event or ping for 100 ms']);
  });
});

describe('jetstream: refusals end the stream', () => {
  const refusedWith = async (end: Parameters<ReturnType<typeof scriptedSockets>['connections'][0]['end']>[0]) => {
    const { opener, connections } = scriptedSockets();
    const result = firstValueFrom(jetstream({ url, socket: opener, wantedCollections: ['bad*'] }));
    connections[0]!.end(end);
    await expect(result).rejects.toThrow(JetstreamError);
    return { error: (await result.catch((caught: unknown) => caught)) as JetstreamError, connections };
  };

  it('an HTTP 400 (bad filter or cursor) errors with the server text, without retrying', async () => {
    const { error, connections } = await refusedWith({ type: 'rejected', status: 400, body: 'invalid subscriber options: invalid collection: bad*' });
    expect(error).toMatchObject({
      code: 400,
      message: 'ws://127.0.0.1:6008/subscribe refused the subscription: HTTP 400: invalid subscriber options: invalid collection: bad*',
    });
    await settle();
    expect(connections).toHaveLength(1);
  });

  it('a close for an invalid options_update errors; other closes (a slow reader, a restart) and a 429 reconnect', async () => {
    const { error } = await refusedWith(closed(1008, 'failed to parse subscriber options: invalid collection: x'));
    expect(error.code).toBe(1008);
    await expect(refusedWith(closed(1007, 'failed to unmarshal subscriber sourced message: bad'))).resolves.toBeDefined();

    const { opener, connections } = scriptedSockets();
    const subscription = jetstream({ url, socket: opener, reconnect: { initialDelayMs: 1 } }).subscribe();
    connections[0]!.end(closed(1008, 'too slow: 120000 behind'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(connections).toHaveLength(2);
    // Too many connections from this address: later, it may pass.
    connections[1]!.end({ type: 'rejected', status: 429, body: 'too many connections' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(connections).toHaveLength(3);
    subscription.unsubscribe();
  });
});

describe('jetstream: filters', () => {
  it('puts the filter in the URL, and updateOptions sends an options_update now and asks for it on reconnect', () => {
    const { opener, connections } = scriptedSockets();
    const scheduler = new TestScheduler(() => undefined);
    scheduler.run(() => {
      const stream = jetstream({
        url: 'https://jetstream.example',
        wantedCollections: ['app.bsky.feed.post', 'app.bsky.graph.*'],
        wantedDids: ['did:plc:a'],
        maxMessageSizeBytes: 2048,
        cursor: 1,
        socket: opener,
        scheduler,
      });
      stream.subscribe();
      connections[0]!.open();
      stream.updateOptions({ wantedDids: ['did:plc:b'] });
      connections[0]!.end(closed(1006));
    });
    expect(connections[0]!.url).toBe(
      'wss://jetstream.example/subscribe?wantedCollections=app.bsky.feed.post&wantedCollections=app.bsky.graph.*&wantedDids=did%3Aplc%3Aa&maxMessageSizeBytes=2048&cursor=1',
    );
    expect(connections[0]!.sent).toEqual([
      '{"type":"options_update","payload":{"wantedCollections":[],"wantedDids":["did:plc:b"],"maxMessageSizeBytes":0}}',
    ]);
    expect(connections[1]!.url).toBe('wss://jetstream.example/subscribe?wantedDids=did%3Aplc%3Ab&cursor=1');
  });

  it('with requireHello the filter goes in the first message of every connection, not in the URL', () => {
    const { opener, connections } = scriptedSockets();
    const scheduler = new TestScheduler(() => undefined);
    scheduler.run(() => {
      jetstream({ url, wantedDids: ['did:plc:a'], requireHello: true, cursor: 3, socket: opener, scheduler, livenessTimeoutMs: 0 }).subscribe();
      connections[0]!.open();
      connections[0]!.end(closed(1006));
      scheduler.schedule(() => connections[1]!.open(), 1000);
    });
    const hello = '{"type":"options_update","payload":{"wantedCollections":[],"wantedDids":["did:plc:a"],"maxMessageSizeBytes":0}}';
    expect(connections.map(({ url: dialed, sent }) => ({ dialed, sent }))).toEqual([
      { dialed: 'ws://127.0.0.1:6008/subscribe?cursor=3&requireHello=true', sent: [hello] },
      { dialed: 'ws://127.0.0.1:6008/subscribe?cursor=3&requireHello=true', sent: [hello] },
    ]);
  });
});

describe('jetstream: messages', () => {
  it('types commits by the collections asked for (a post record has its text)', async () => {
    const { opener, connections } = scriptedSockets();
    const posts = jetstream({ url, wantedCollections: ['app.bsky.feed.post'], socket: opener });
    const texts = firstValueFrom(
      posts.pipe(
        map((event) => (event.kind === 'commit' && event.commit.operation !== 'delete' ? event.commit.record.text : event.kind)),
        take(2),
        toArray(),
      ),
    );
    connections[0]!.open();
    connections[0]!.event(
      '{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"rev":"r","operation":"create","collection":"app.bsky.feed.post","rkey":"k","record":{"$type":"app.bsky.feed.post","createdAt":"2024-01-01T00:00:00Z","text":"hi"},"cid":"c"}}',
    );
    connections[0]!.event('{"did":"did:plc:a","time_us":2,"kind":"account","account":{"active":true,"did":"did:plc:a","seq":1,"time":"t"}}');
    expect(await texts).toEqual(['hi', 'account']);
  });

  it('gives each event with its exact JSON text and wire size; drops what is not a v1 event, reporting it once', async () => {
    const { opener, connections } = scriptedSockets();
    const statuses: JetstreamStatus[] = [];
    const stream = jetstream({ url, socket: opener, onStatus: (status) => statuses.push(status) });
    const received = firstValueFrom(stream.messages.pipe(take(2), toArray()));
    connections[0]!.open();
    connections[0]!.event('{"not":"an event"}');
    connections[0]!.event('not json');
    connections[0]!.binary(Uint8Array.of(1, 2, 3));
    connections[0]!.event(likeJson(7));
    connections[0]!.event('{"did":"did:plc:é","time_us":8,"kind":"identity","identity":{"did":"did:plc:é","seq":1,"time":"t"}}');
    const [like, identity] = await received;
    expect(like).toEqual({ event: JSON.parse(likeJson(7)), json: likeJson(7), wireBytes: likeJson(7).length });
    expect(identity!.wireBytes).toBe(identity!.json.length + 2);
    expect(statuses.filter((status) => status.type === 'invalid-message')).toEqual([{ type: 'invalid-message', detail: 'no time_us' }]);
  });

  it('decodes binary messages of a compressed stream with the given decoder', async () => {
    const { opener, connections } = scriptedSockets();
    const statuses: JetstreamStatus[] = [];
    const decompress = (frame: Uint8Array) => new TextEncoder().encode(likeJson(frame[0]!));
    const received = firstValueFrom(
      jetstream({ url, compress: true, decompress, socket: opener, onStatus: (status) => statuses.push(status) }).messages.pipe(take(1)),
    );
    await settle();
    connections[0]!.open();
    connections[0]!.binary(Uint8Array.of(42, 0, 0));
    expect(await received).toEqual({ event: JSON.parse(likeJson(42)), json: likeJson(42), wireBytes: 3 });
    expect(connections[0]!.url).toBe('ws://127.0.0.1:6008/subscribe?compress=true');
    expect(statuses[1]).toEqual({ type: 'connected', url: connections[0]!.url, zstd: 'custom' });
  });

  it('gives each subscriber its own connection, closed when it unsubscribes', () => {
    const { opener, connections } = scriptedSockets();
    const stream = jetstream({ url, socket: opener });
    const first = stream.subscribe();
    const second = stream.subscribe();
    expect(connections).toHaveLength(2);
    first.unsubscribe();
    expect(connections.map((connection) => connection.closedByClient)).toEqual([true, false]);
    second.unsubscribe();
  });
});

describe('jetstream: async iteration holds a bounded number of events', () => {
  it('pauses the socket at the high-water mark and resumes it at half', async () => {
    const { opener, connections } = scriptedSockets({ canPause: true });
    const iterator = jetstream({ url, socket: opener, highWaterMark: 4 })[Symbol.asyncIterator]();
    connections[0]!.open();
    for (let timeUs = 1; timeUs <= 4; timeUs++) connections[0]!.event(likeJson(timeUs));
    expect(connections[0]!.paused).toBe(true);
    expect((await iterator.next()).value.time_us).toBe(1);
    expect(connections[0]!.paused).toBe(true);
    expect((await iterator.next()).value.time_us).toBe(2);
    expect(connections[0]!.paused).toBe(false);
    await iterator.return!();
    expect(connections[0]!.closedByClient).toBe(true);
  });

  it('where the socket cannot pause, closes and reopens from the last delivered time_us: no gap, no repeat', async () => {
    const { opener, connections } = scriptedSockets({ canPause: false });
    const statuses: string[] = [];
    const iterator = jetstream({ url, cursor: 1, socket: opener, highWaterMark: 2, onStatus: (status) => statuses.push(status.type) })[
      Symbol.asyncIterator
    ]();
    connections[0]!.open();
    connections[0]!.event(likeJson(1));
    connections[0]!.event(likeJson(2));
    expect(connections[0]!.closedByClient).toBe(true);
    const times = [(await iterator.next()).value.time_us, (await iterator.next()).value.time_us];
    expect(connections[1]!.url).toBe('ws://127.0.0.1:6008/subscribe?cursor=2');
    connections[1]!.open();
    connections[1]!.event(likeJson(2));
    connections[1]!.event(likeJson(3));
    times.push((await iterator.next()).value.time_us);
    expect(times).toEqual([1, 2, 3]);
    expect(statuses).toEqual(['connecting', 'connected', 'paused', 'connecting', 'connected', 'repeat-dropped']);
    await iterator.return!();
  });

  it('return() ends a waiting next() at once; a refusal is thrown by next()', async () => {
    const { opener, connections } = scriptedSockets();
    const iterator = jetstream({ url, socket: opener })[Symbol.asyncIterator]();
    const waiting = iterator.next();
    await iterator.return!();
    expect(await waiting).toEqual({ value: undefined, done: true });

    const refused = jetstream({ url, socket: opener })[Symbol.asyncIterator]();
    connections[1]!.end({ type: 'rejected', status: 400, body: 'invalid cursor: x' });
    await expect(refused.next()).rejects.toThrow('HTTP 400: invalid cursor: x');
    expect(await refused.next()).toEqual({ value: undefined, done: true });
  });
});
