import { decodeOptions } from '@ipld/dag-cbor';
import { createV1Decompressor } from '@jetstream-ts/compression';
import { runPdsScript, startTestPds, type PdsScriptResult, type TestPds } from '@jetstream-ts/test-pds';
import { decodeFirst } from 'cborg';
import { WebSocket, type RawData } from 'ws';
import { sleep, startE2eServer, subscribe, timeUsOf, until, withoutTimeUs, type E2eServer, type Subscriber } from './e2e-server.test-util.js';
import { expectedV1Json, goJson, type RelayFields, type ScriptEvent } from './v1-json.test-util.js';

/**
 * What each event of the PDS's firehose carries through from its frame (commit: `rev`; identity
 * and account: `seq`, `time`), one entry per expected event, read straight off the wire with a
 * generic DAG-CBOR decoder (not the server's frame decoder).
 */
function captureRelayFields(url: string, frameCount: number, timeoutMs: number): Promise<RelayFields[]> {
  return new Promise((resolve, reject) => {
    const fields: RelayFields[] = [];
    let frames = 0;
    const socket = new WebSocket(`${url}?cursor=0`);
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`the PDS sent ${frames} of ${frameCount} frames`));
    }, timeoutMs);
    socket.on('message', (data: RawData) => {
      const [header, rest] = decodeFirst(new Uint8Array(data as Buffer), decodeOptions) as [{ t?: string }, Uint8Array];
      const body = decodeFirst(rest, decodeOptions)[0] as { rev: string; seq: number; time: string; ops?: unknown[] };
      if (header.t === '#commit') fields.push(...(body.ops ?? []).map(() => ({ rev: body.rev })));
      if (header.t === '#identity' || header.t === '#account') fields.push({ seq: body.seq, time: body.time });
      if (++frames === frameCount) {
        clearTimeout(timer);
        socket.terminate();
        resolve(fields);
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** How long to keep listening after the expected events, to catch extra or repeated ones. */
const QUIET_MS = 500;

describe('end to end: a real PDS → jetstream server → websocket clients', () => {
  let pds: TestPds | undefined;
  let server: E2eServer | undefined;
  let script: PdsScriptResult;
  /** The script's events as v1 JSON with time_us 0, in firehose order. */
  let expected: { event: ScriptEvent; json: string }[];
  const subscribers: Subscriber[] = [];

  /** Subscribes with `query`, waits for `count` messages and a quiet moment, and returns them. */
  async function receiveAll(query: string, count: number): Promise<Subscriber> {
    const subscriber = subscribe(server!.subscribeUrl(query));
    subscribers.push(subscriber);
    await subscriber.received(count);
    await sleep(QUIET_MS);
    return subscriber;
  }

  beforeAll(async () => {
    pds = await startTestPds();
    script = await runPdsScript(pds, 'default');
    // Each sign-up also makes a #commit without ops and a #sync: no events.
    const frameCount = script.events.length + 2 * Object.keys(script.accounts).length;
    const relayFields = await captureRelayFields(pds.subscribeReposUrl, frameCount, 15_000);
    expect(relayFields).toHaveLength(script.events.length);
    expected = script.events.map((event, i) => ({ event, json: expectedV1Json(event, relayFields[i]!) }));
    // The activity happened before the server started: it asks the PDS for everything (cursor 0).
    server = await startE2eServer(pds.subscribeReposUrl, { overrideRelayCursor: 0 });
    await until(() => server!.log.relayCursor() === frameCount, `the server to ingest the PDS's ${frameCount} frames`);
  }, 90_000);

  afterAll(async () => {
    for (const subscriber of subscribers) subscriber.close();
    await server?.close();
    await pds?.close();
  }, 30_000);

  it('writes record JSON the Go way (guards the expectation itself)', () => {
    expect(goJson({ b: 1, $type: 'x', 'a b': [true, null], a: 'é<>&\u2028"\\\n🦋' })).toBe(
      '{"$type":"x","a b":[true,null],"a":"é\\u003c\\u003e\\u0026\\u2028\\"\\\\\\n🦋","b":1}',
    );
    expect(goJson({ size: 3, mimeType: 'image/png', ref: { $link: 'bafkrei' }, $type: 'blob' })).toBe(
      '{"$type":"blob","ref":{"$link":"bafkrei"},"mimeType":"image/png","size":3}',
    );
  });

  it('delivers every event of the script exactly once, in order, as the exact v1 JSON', async () => {
    const subscriber = await receiveAll('cursor=0', expected.length);
    const texts = subscriber.texts();
    expect(subscriber.messages.every((message) => !message.binary)).toBe(true);
    expect(texts.map(withoutTimeUs)).toEqual(expected.map((e) => e.json));
    const times = texts.map(timeUsOf);
    expect(times.every((time, i) => i === 0 || time > times[i - 1]!)).toBe(true);
  });

  it('delivers the same events zstd-compressed (compress=true), one binary message each', async () => {
    const subscriber = await receiveAll('cursor=0&compress=true', expected.length);
    expect(subscriber.messages.every((message) => message.binary)).toBe(true);
    const decompressor = createV1Decompressor();
    const texts = subscriber.messages.map((message) => Buffer.from(decompressor.decompress(message.data)).toString('utf8'));
    expect(texts.map(withoutTimeUs)).toEqual(expected.map((e) => e.json));
  });

  it('filters by wantedCollections (exact and prefix); identity and account events bypass it', async () => {
    const wanted = (event: ScriptEvent) =>
      event.kind !== 'commit' || event.commit.collection === 'app.bsky.feed.post' || event.commit.collection.startsWith('app.bsky.graph.');
    const matching = expected.filter((e) => wanted(e.event)).map((e) => e.json);
    // The filter keeps some commits and drops others, so the test can tell.
    expect(matching.length).toBeLessThan(expected.length);
    expect(matching.some((json) => json.includes('"collection":"app.bsky.graph.block"'))).toBe(true);
    const subscriber = await receiveAll('cursor=0&wantedCollections=app.bsky.feed.post&wantedCollections=app.bsky.graph.*', matching.length);
    expect(subscriber.texts().map(withoutTimeUs)).toEqual(matching);
  });

  it('filters by wantedDids for every kind, identity and account included', async () => {
    const bob = script.accounts['bob']!.did;
    const carol = script.accounts['carol']!.did;
    const matching = expected.filter((e) => e.event.did === bob || e.event.did === carol).map((e) => e.json);
    expect(new Set(matching.map((json) => JSON.parse(json).kind))).toEqual(new Set(['commit', 'identity', 'account']));
    const subscriber = await receiveAll(`cursor=0&wantedDids=${bob}&wantedDids=${carol}`, matching.length);
    expect(subscriber.texts().map(withoutTimeUs)).toEqual(matching);
  });

  it('applies both filters together: the DIDs limit identity and account events, the collections only commits', async () => {
    const bob = script.accounts['bob']!.did;
    const matching = expected
      .filter((e) => e.event.did === bob && (e.event.kind !== 'commit' || e.event.commit.collection === 'app.bsky.feed.like'))
      .map((e) => e.json);
    const subscriber = await receiveAll(`cursor=0&wantedDids=${bob}&wantedCollections=app.bsky.feed.like`, matching.length);
    expect(subscriber.texts().map(withoutTimeUs)).toEqual(matching);
  });

  // Last: it adds an event that the cursor=0 tests above do not expect.
  it('delivers a new post live to a subscriber without a cursor, and nothing of the past', async () => {
    const live = subscribe(server!.subscribeUrl());
    // The PDS's own firehose beside it, to tell the PDS's delay from the server's.
    const firehose = subscribe(pds!.subscribeReposUrl);
    subscribers.push(live, firehose);
    await Promise.all([live, firehose].map((client) => new Promise((resolve) => client.socket.once('open', resolve))));
    const agent = pds!.agent();
    // The script's sign-up password for alice.
    await agent.login({ identifier: 'alice.test', password: 'alice-password' });
    const did = script.accounts['alice']!.did;
    const record = { $type: 'app.bsky.feed.post', text: 'live <now> & here', langs: ['en'], createdAt: '2026-07-01T12:01:00.000Z' };
    const writtenAtUs = Date.now() * 1000;
    const { data } = await agent.com.atproto.repo.createRecord({ repo: did, collection: 'app.bsky.feed.post', record });
    await live.received(1);
    await sleep(QUIET_MS);
    const event: ScriptEvent = {
      kind: 'commit',
      did,
      commit: { operation: 'create', collection: 'app.bsky.feed.post', rkey: data.uri.split('/').at(-1)!, cid: data.cid, record },
    };
    expect(live.texts().map(withoutTimeUs)).toEqual([expectedV1Json(event, { rev: data.commit!.rev })]);
    const ms = (fromUs: number, toUs: number) => ((toUs - fromUs) / 1000).toFixed(1);
    const receivedAtUs = live.messages[0]!.receivedAtUs;
    console.info(
      `live post: the PDS's firehose sent it ${ms(writtenAtUs, firehose.messages[0]!.receivedAtUs)} ms after createRecord was called, ` +
        `the jetstream subscriber got it ${ms(writtenAtUs, receivedAtUs)} ms after ` +
        `(${ms(timeUsOf(live.texts()[0]!), receivedAtUs)} ms after the server sequenced it)`,
    );
  });
});
