import type { Socket } from 'node:net';
import { filter, map } from 'rxjs';
import { PluginOptionError, type PluginFailure, type SubscriberPlugin } from '@jetstream-ts/plugins';
import { CursorBuffer, createMemoryEventStore } from '@jetstream-ts/cursor-buffer';
import { ZSTD_DICTIONARY_V1_ID, type LoggedEvent } from '@jetstream-ts/models';
import { ALICE, BOB, FOLLOW, LIKE, POST, type TestEventFields } from './memory-event-log.test-util.js';
import { TrustedProxies } from './real-ip.js';
import {
  connect,
  countingMetrics,
  decompressor,
  feed,
  httpGet,
  makeEvent,
  range,
  refusedUpgrade,
  roundTrip,
  startServer,
  startServerOn,
  T0,
  timesOf,
  utf8,
  waitFor,
  zstdDictionaryId,
} from './subscribe-endpoint.test-util.js';

describe('the /subscribe endpoint', () => {
  describe('HTTP answers before any upgrade', () => {
    it.each([
      ['a cursor that is not an int64', 'cursor=abc', 'invalid cursor: abc'],
      ['a bad cursor before the filters', 'wantedCollections=nope&cursor=12.5', 'invalid cursor: 12.5'],
      ['an invalid collection', 'wantedCollections=nope', 'invalid subscriber options: invalid collection: nope'],
      ['an empty collection', 'wantedCollections=', 'invalid subscriber options: invalid collection: '],
      ['an invalid DID', 'wantedDids=did:PLC:x', 'invalid subscriber options'],
      ['10,001 DIDs', Array.from({ length: 10_001 }, (_, n) => `wantedDids=did:x:${n}`).join('&'), 'invalid subscriber options: too many wanted DIDs'],
      ['101 collections', Array.from({ length: 101 }, () => 'wantedCollections=app.bsky.*').join('&'), 'invalid subscriber options: too many wanted collections'],
    ])('refuses the upgrade for %s', async (_case, query, message) => {
      const { wsUrl } = await startServer();
      expect(await refusedUpgrade(`${wsUrl}/subscribe?${query}`)).toEqual({ status: 400, contentType: 'text/plain; charset=UTF-8', body: message });
    });

    it('answers a plain GET with the option error first, then gorilla\'s Bad Request', async () => {
      const { httpUrl } = await startServer();
      const badCursor = await httpGet(`${httpUrl}/subscribe?cursor=x`);
      expect([badCursor.status, badCursor.headers['content-type'], badCursor.body]).toEqual([400, 'text/plain; charset=UTF-8', 'invalid cursor: x']);
      const plain = await httpGet(`${httpUrl}/subscribe?wantedCollections=app.bsky.feed.post`);
      expect([plain.status, plain.headers['sec-websocket-version'], plain.headers['content-type'], plain.body]).toEqual([
        400,
        '13',
        'text/plain; charset=utf-8',
        'Bad Request\n',
      ]);
    });

    it('answers upgrades that are not websocket handshakes as gorilla does', async () => {
      const { httpUrl } = await startServer();
      const handshakes: Record<string, string>[] = [
        { Connection: 'Upgrade', Upgrade: 'h2c' },
        { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '8', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
        { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'short' },
      ];
      for (const headers of handshakes) {
        const answer = await httpGet(`${httpUrl}/subscribe`, headers);
        expect([answer.status, answer.headers['sec-websocket-version'], answer.body]).toEqual([400, '13', 'Bad Request\n']);
      }
    });

    it('answers upgrades to other paths with Echo\'s 404', async () => {
      const { wsUrl } = await startServer();
      expect(await refusedUpgrade(`${wsUrl}/elsewhere`)).toEqual({
        status: 404,
        contentType: 'application/json; charset=UTF-8',
        body: '{"message":"Not Found"}\n',
      });
    });
  });

  it('serves each subscriber its filter: exact, prefix, DIDs, none', async () => {
    const { log, wsUrl } = await startServer();
    const [exact, prefix, dids, everything] = await Promise.all([
      connect(`${wsUrl}/subscribe?wantedCollections=${POST}`),
      connect(`${wsUrl}/subscribe?wantedCollections=app.bsky.graph.*`),
      connect(`${wsUrl}/subscribe?wantedDids=${BOB}`),
      connect(`${wsUrl}/subscribe`),
    ]);
    // Five kinds of event, twelve times: post, like, follow (Alice); like (Bob); identity (Bob).
    const shapes: TestEventFields[] = [
      { collection: POST },
      { collection: LIKE },
      { collection: FOLLOW },
      { collection: LIKE, did: BOB },
      { kind: 'identity', did: BOB },
    ];
    await feed(log, 0, 60, 4, 2, (n) => shapes[n % 5] as TestEventFields);
    const all = range(0, 59);
    const ofShape = (...indexes: number[]) => all.filter((n) => indexes.includes(n % 5));
    await waitFor(() => everything.messages.length === 60, 'every event');
    await Promise.all([exact, prefix, dids].map(roundTrip));
    expect(timesOf(exact)).toEqual(ofShape(0, 4));
    expect(timesOf(prefix)).toEqual(ofShape(2, 4));
    expect(timesOf(dids)).toEqual(ofShape(3, 4));
    expect(timesOf(everything)).toEqual(all);
    expect(everything.messages.every((message) => !message.binary)).toBe(true);
  });

  it('replays from a cursor into the live tail under concurrent appends: exact count and order', async () => {
    const { log, wsUrl } = await startServer();
    for (let n = 0; n < 3000; n++) log.append(makeEvent(T0 + n));
    const feeding = feed(log, 3000, 7000, 25, 1);
    const [json, zstd] = await Promise.all([
      connect(`${wsUrl}/subscribe?cursor=${T0 + 10}`),
      connect(`${wsUrl}/subscribe?cursor=${T0 + 10}`, { 'Socket-Encoding': 'zstd' }),
    ]);
    await feeding;
    await waitFor(() => json.messages.length >= 9990 && zstd.messages.length >= 9990, 'the replay and the live tail');
    await Promise.all([json, zstd].map(roundTrip));
    expect(timesOf(json)).toEqual(range(10, 9999));
    expect(timesOf(zstd)).toEqual(range(10, 9999));
  });

  it('hands over from the store to the in-memory tail of a CursorBuffer with no gap or duplicate', async () => {
    // A tail of 500 events: replay reads the store, then the tail, while batches keep committing.
    const { log, wsUrl } = await startServerOn(new CursorBuffer(createMemoryEventStore(), { tailCapacity: 500 }));
    let next = 0;
    const appendBatch = (size: number) => {
      const batch = Array.from({ length: size }, () => makeEvent(T0 + next++));
      return log.append(batch, next);
    };
    for (let batch = 0; batch < 40; batch++) await appendBatch(100);
    const clientsReady = Promise.all([
      connect(`${wsUrl}/subscribe?cursor=${T0}`),
      connect(`${wsUrl}/subscribe?cursor=${T0 + 3999}&compress=true`),
    ]);
    for (let batch = 0; batch < 60; batch++) {
      await appendBatch(50);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const [fromStart, fromHead] = await clientsReady;
    await waitFor(() => fromStart.messages.length >= 7000 && fromHead.messages.length >= 3001, 'every event');
    await Promise.all([fromStart, fromHead].map(roundTrip));
    expect(timesOf(fromStart)).toEqual(range(0, 6999));
    expect(timesOf(fromHead)).toEqual(range(3999, 6999));
  });

  it('sends compressed subscribers the v1-dictionary frames as binary messages', async () => {
    const { log, wsUrl } = await startServer();
    const [byHeader, byQuery] = await Promise.all([
      connect(`${wsUrl}/subscribe`, { 'Socket-Encoding': 'gzip, zstd' }),
      connect(`${wsUrl}/subscribe?compress=true`),
    ]);
    const events: LoggedEvent[] = [makeEvent(T0 + 1), makeEvent(T0 + 2, { padding: 3000 }), makeEvent(T0 + 3, { kind: 'account' })];
    log.append(...events);
    await waitFor(() => byHeader.messages.length === 3 && byQuery.messages.length === 3, 'three frames each');
    for (const client of [byHeader, byQuery]) {
      expect(client.messages.map((message) => message.binary)).toEqual([true, true, true]);
      expect(client.messages.map((message) => zstdDictionaryId(message.data))).toEqual([ZSTD_DICTIONARY_V1_ID, ZSTD_DICTIONARY_V1_ID, ZSTD_DICTIONARY_V1_ID]);
      expect(client.messages.map((message) => utf8.decode(decompressor.decompress(message.data)))).toEqual(events.map((event) => utf8.decode(event.json)));
    }
  });

  it('waits for the hello with requireHello, then applies it', async () => {
    const { log, wsUrl } = await startServer();
    const client = await connect(`${wsUrl}/subscribe?requireHello=true`);
    log.append(makeEvent(T0 + 1, { collection: POST }), makeEvent(T0 + 2, { collection: LIKE }));
    await roundTrip(client);
    expect(client.messages).toEqual([]);
    client.socket.send(JSON.stringify({ type: 'options_update', payload: { wantedCollections: [LIKE] } }));
    log.append(makeEvent(T0 + 3, { collection: POST }), makeEvent(T0 + 4, { collection: LIKE }));
    await waitFor(() => client.messages.length === 2, 'the likes');
    expect(timesOf(client)).toEqual([2, 4]);
  });

  it('applies options_update to the events after it, including the size cap', async () => {
    const { log, wsUrl } = await startServer();
    const client = await connect(`${wsUrl}/subscribe?wantedCollections=${POST}`);
    log.append(makeEvent(T0 + 1, { collection: POST }), makeEvent(T0 + 2, { collection: LIKE }));
    await waitFor(() => client.messages.length === 1, 'the post');
    const bigLike = makeEvent(T0 + 4, { collection: LIKE, padding: 2000 });
    client.socket.send(JSON.stringify({ type: 'options_update', payload: { wantedCollections: [LIKE], maxMessageSizeBytes: 1000 } }));
    await roundTrip(client);
    log.append(makeEvent(T0 + 3, { collection: POST }), bigLike, makeEvent(T0 + 5, { collection: LIKE }));
    await waitFor(() => client.messages.length === 2, 'the small like');
    await roundTrip(client);
    expect(timesOf(client)).toEqual([1, 5]);
  });

  describe('closes with a reason', () => {
    it.each([
      ['not json', 1007, "failed to unmarshal subscriber sourced message: invalid character 'o' in literal null (expecting 'u')"],
      ['{"type":"options_update"}', 1007, 'failed to unmarshal subscriber options update: unexpected end of JSON input'],
      ['{"type":"options_update","payload":{"wantedDids":["did:nope"]}}', 1008, 'failed to parse subscriber options: invalid subscriber options'],
    ])('for %p', async (message, code, reason) => {
      const { wsUrl } = await startServer();
      const client = await connect(`${wsUrl}/subscribe`);
      client.socket.send(message);
      expect(await client.closed).toEqual({ code, reason });
    });

    it('cut to 123 bytes when long', async () => {
      const { wsUrl } = await startServer();
      const client = await connect(`${wsUrl}/subscribe`);
      const collection = 'ü'.repeat(60);
      client.socket.send(JSON.stringify({ type: 'options_update', payload: { wantedCollections: [collection] } }));
      // 84 ASCII bytes of prefix leave room for 19 two-byte characters.
      expect(await client.closed).toEqual({
        code: 1008,
        reason: `failed to parse subscriber options: invalid subscriber options: invalid collection: ${'ü'.repeat(19)}`,
      });
    });

    it('1009 for a client message over maxClientMessageBytes, after ignoring one of exactly that size', async () => {
      const { wsUrl } = await startServer({ maxClientMessageBytes: 1000 });
      const client = await connect(`${wsUrl}/subscribe`);
      const envelope = '{"type":"padding","payload":""}';
      const atLimit = envelope.replace('""', `"${'x'.repeat(1000 - envelope.length)}"`);
      expect(atLimit.length).toBe(1000);
      client.socket.send(atLimit);
      await roundTrip(client);
      client.socket.send(`${atLimit} `);
      expect((await client.closed).code).toBe(1009);
    });

    it('1001 when the server shuts down', async () => {
      const { endpoint, wsUrl } = await startServer();
      const client = await connect(`${wsUrl}/subscribe`);
      await endpoint.close();
      expect(await client.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    });
  });

  it('closes a stalled reader with a reason while fast readers beside it get every event', async () => {
    const closedFor: string[] = [];
    const { log, wsUrl } = await startServer({
      sendHighWaterMarkBytes: 64 * 1024,
      metrics: { ...countingMetrics().metrics, subscribersClosed: { inc: ({ reason }) => closedFor.push(reason) } },
      session: {
        maxEventsPerSecond: Infinity,
        sampleIntervalMs: 50,
        slowReader: { maxEventsBehind: 500, minEventsPerSecond: 5, windowMs: 300 },
      },
    });
    const [fastJson, fastZstd, stalled] = await Promise.all([
      connect(`${wsUrl}/subscribe`),
      connect(`${wsUrl}/subscribe?compress=true`),
      connect(`${wsUrl}/subscribe`),
    ]);
    // Stop reading: the kernel buffers fill, then the server's queue, then the session waits.
    (stalled.socket as unknown as { _socket: Socket })._socket.pause();
    const total = 6000;
    await feed(log, 0, total, 100, 2, () => ({ padding: 8000 }));
    await waitFor(() => fastJson.messages.length === total && fastZstd.messages.length === total, 'the fast readers');
    expect(timesOf(fastJson)).toEqual(range(0, total - 1));
    expect(timesOf(fastZstd)).toEqual(range(0, total - 1));

    await waitFor(() => closedFor.includes('slow'), 'the stalled reader to be judged slow');
    (stalled.socket as unknown as { _socket: Socket })._socket.resume();
    expect(await stalled.closed).toEqual({
      code: 1008,
      reason: expect.stringMatching(/^consumer too slow: more than 500 events behind, reading \d+\.\d events\/s for \d+ s$/),
    });
    const received = timesOf(stalled);
    expect(received.length).toBeLessThan(total);
    expect(received).toEqual(range(0, received.length - 1));
  });

  it('pings every interval', async () => {
    const { wsUrl } = await startServer({ pingIntervalMs: 20 });
    const client = await connect(`${wsUrl}/subscribe`);
    await waitFor(() => client.pings >= 2, 'two pings');
  });

  it('counts connections and deliveries per client address, and removes its series when it leaves', async () => {
    const counting = countingMetrics();
    const { log, wsUrl } = await startServer({ metrics: counting.metrics, trustedProxies: TrustedProxies.parse('127.0.0.1') });
    const client = await connect(`${wsUrl}/subscribe?compress=true`, { 'X-Forwarded-For': '6.6.6.6, 203.0.113.9' });
    const events = [makeEvent(T0 + 1), makeEvent(T0 + 2, { did: ALICE, padding: 500 })];
    log.append(...events);
    await waitFor(() => client.messages.length === 2, 'two events');
    expect(counting.connected.get('203.0.113.9')).toBe(1);
    client.socket.close();
    await client.closed;
    await waitFor(() => counting.removed.length === 3, 'the series removed');
    expect(counting.connected.get('203.0.113.9')).toBe(0);
    expect(counting.delivered.get('203.0.113.9')).toEqual({ events: 2, bytes: events.reduce((sum, event) => sum + event.zstd.length, 0) });
    expect(counting.removed).toEqual(['203.0.113.9', '203.0.113.9', '203.0.113.9']);
  });
});

describe('subscriber plugins', () => {
  /** A `lang=` option: only events whose collection ends with the given suffix, for the test's sake. */
  const suffixPlugin: SubscriberPlugin = {
    name: 'suffix',
    stage: 'subscriber',
    session: (query) => {
      const suffix = query.get('suffix');
      if (suffix === null) return undefined;
      if (!/^[a-z]+$/.test(suffix)) throw new PluginOptionError(`invalid suffix: ${suffix}`);
      return filter((event) => event.collection?.endsWith(suffix) ?? false);
    },
  };

  it('gives each session its own operator from the query, after the filter; no option, no operator', async () => {
    const { log, wsUrl } = await startServer({ plugins: [suffixPlugin] });
    const [likes, posts, everything] = await Promise.all([
      connect(`${wsUrl}/subscribe?suffix=like`),
      connect(`${wsUrl}/subscribe?suffix=post&wantedDids=${BOB}`),
      connect(`${wsUrl}/subscribe`),
    ]);
    const shapes: TestEventFields[] = [{ collection: POST }, { collection: LIKE }, { collection: POST, did: BOB }];
    await feed(log, 0, 9, 3, 1, (n) => shapes[n % 3] as TestEventFields);
    await waitFor(() => everything.messages.length === 9, 'every event');
    await Promise.all([likes, posts].map(roundTrip));
    expect(timesOf(likes)).toEqual([1, 4, 7]);
    expect(timesOf(posts)).toEqual([2, 5, 8]);
  });

  it('refuses a bad plugin option with 400 and the plugin message, before the upgrade and on a plain GET', async () => {
    const { wsUrl, httpUrl } = await startServer({ plugins: [suffixPlugin] });
    expect(await refusedUpgrade(`${wsUrl}/subscribe?suffix=NOPE`)).toEqual({ status: 400, contentType: 'text/plain; charset=UTF-8', body: 'invalid suffix: NOPE' });
    const plain = await fetch(`${httpUrl}/subscribe?suffix=1`);
    expect([plain.status, await plain.text()]).toEqual([400, 'invalid suffix: 1']);
  });

  it('contains a failing plugin: the event that broke it is not sent, the session goes on, the failure is reported', async () => {
    const failures: PluginFailure[] = [];
    const breaksOnFollow: SubscriberPlugin = {
      name: 'breaks',
      stage: 'subscriber',
      session: () =>
        map((event) => {
          if (event.collection === FOLLOW) throw new Error('cannot follow');
          return event;
        }),
    };
    const throwsAtStart: SubscriberPlugin = {
      name: 'broken-session',
      stage: 'subscriber',
      session: (query) => {
        if (query.has('crash')) throw new Error('session bug');
        return undefined;
      },
    };
    const { log, wsUrl } = await startServer({ plugins: [breaksOnFollow, throwsAtStart], onPluginFailure: (failure) => failures.push(failure) });
    expect((await refusedUpgrade(`${wsUrl}/subscribe?crash`)).status).toBe(500);
    const client = await connect(`${wsUrl}/subscribe`);
    const shapes: TestEventFields[] = [{ collection: POST }, { collection: FOLLOW }, { collection: LIKE }];
    await feed(log, 0, 6, 3, 1, (n) => shapes[n % 3] as TestEventFields);
    await waitFor(() => client.messages.length === 4, 'the events the plugin let through');
    await roundTrip(client);
    expect(timesOf(client)).toEqual([0, 2, 3, 5]);
    expect(failures.map((failure) => `${failure.plugin}@${failure.stage}: ${(failure.error as Error).message}`)).toEqual([
      'broken-session@subscriber: session bug',
      'breaks@subscriber: cannot follow',
      'breaks@subscriber: cannot follow',
    ]);
  });
});
