import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createV1Decompressor } from '@jetstream-ts/compression';
import { startFakeRelay, type FakeRelay } from '@jetstream-ts/fake-relay';
import { createServerContainer, resolveJetstreamServer, serverConfig, TOKENS, type JetstreamServer } from '@jetstream-ts/server';
import { buildCommit, commitFrame, EXAMPLE_CREATED_AT, identityFrame, until, type RecordWrite } from '@jetstream-ts/testkit';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import examplePlugins from '../plugin.js';

const ALICE = 'did:plc:aliceaaaaaaaaaaaaaaaaaaa';
const BOB = 'did:plc:bobbbbbbbbbbbbbbbbbbbbbb';
const TIME = '2025-01-01T00:00:00.000Z';

function post(rkey: string, text: string, langs?: string[]): RecordWrite {
  return { action: 'create', collection: 'app.bsky.feed.post', rkey, record: { $type: 'app.bsky.feed.post', createdAt: EXAMPLE_CREATED_AT, text, ...(langs ? { langs } : {}) } };
}

/** The relay's frames, and each commit's record CID by rkey (the testkit builds the CAR, we write the JSON). */
function relayTraffic() {
  const cids = new Map<string, string>();
  const commit = (seq: number, did: string, rev: string, write: RecordWrite) => {
    const built = buildCommit({ did, rev, seq, time: TIME, writes: [write] });
    for (const [path, block] of built.records) cids.set(path.split('/')[1]!, block.cid.toString());
    return commitFrame(built.body);
  };
  const frames = [
    identityFrame({ seq: 1, did: ALICE, handle: 'alice.test', time: TIME }),
    commit(2, ALICE, '3laaaaaaaaaa2', post('p1', 'hello', ['en'])),
    commit(3, ALICE, '3laaaaaaaaaa3', { action: 'create', collection: 'app.bsky.feed.like', rkey: 'l1', record: { $type: 'app.bsky.feed.like', createdAt: EXAMPLE_CREATED_AT, subject: { uri: 'at://x', cid: 'y' } } }),
    commit(4, BOB, '3laaaaaaaaaa4', post('p2', 'olá', ['pt-BR'])),
    commit(5, ALICE, '3laaaaaaaaaa5', post('p3', 'no langs')),
  ];
  return { frames, cids };
}

/** Connects and resolves with the first `count` messages, as text (binary ones decompressed). */
function firstMessages(url: string, count: number): Promise<string[]> {
  const decompressor = createV1Decompressor();
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const texts: string[] = [];
    const timer = setTimeout(() => finish(new Error(`timed out after ${texts.length} of ${count} messages`)), 10_000);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.terminate();
      if (error) reject(error);
      else resolve(texts);
    };
    socket.on('message', (data: Buffer, binary) => {
      texts.push(binary ? Buffer.from(decompressor.decompress(data)).toString('utf8') : data.toString('utf8'));
      if (texts.length === count) finish();
    });
    socket.on('error', (error) => finish(error));
  });
}

describe('the example relay: the reference server plus three plugins', () => {
  let relay: FakeRelay;
  let server: JetstreamServer;
  let dataDir: string;
  let base: string;
  let cids: Map<string, string>;
  let times: number[];

  beforeAll(async () => {
    const traffic = relayTraffic();
    cids = traffic.cids;
    relay = await startFakeRelay({ frames: traffic.frames });
    dataDir = mkdtempSync(join(tmpdir(), 'example-relay-'));
    const container = createServerContainer(
      serverConfig({ wsUrl: relay.url, dataDir, listenAddr: { host: '127.0.0.1', port: 0 }, metricsListenAddr: { host: '127.0.0.1', port: 0 } }),
    );
    container.register(TOKENS.logger, { useValue: pino({ level: 'silent' }) });
    for (const plugin of examplePlugins()) container.register(TOKENS.plugins, { useValue: plugin });
    const log = container.resolve(TOKENS.eventLog);
    server = resolveJetstreamServer(container);
    await server.start();
    await until(() => log.relayCursor() === 5, 'the relay frames to be committed');
    times = log.readFrom(0, 100).map((event) => event.time_us);
    base = `ws://127.0.0.1:${server.publicAddress?.port}/subscribe`;
  });
  afterAll(async () => {
    await server?.stop();
    await relay?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const postJson = (timeUs: number, did: string, handle: string | undefined, rev: string, rkey: string, record: string) =>
    `{"did":"${did}",${handle ? `"handle":"${handle}",` : ''}"time_us":${timeUs},"kind":"commit","commit":{"rev":"${rev}","operation":"create","collection":"app.bsky.feed.post","rkey":"${rkey}","record":${record},"cid":"${cids.get(rkey)}"}}`;
  const expected = () => ({
    identity: `{"did":"${ALICE}","time_us":${times[0]},"kind":"identity","identity":{"did":"${ALICE}","handle":"alice.test","seq":1,"time":"${TIME}"}}`,
    p1: postJson(times[1]!, ALICE, 'alice.test', '3laaaaaaaaaa2', 'p1', `{"$type":"app.bsky.feed.post","createdAt":"${EXAMPLE_CREATED_AT}","langs":["en"],"text":"hello"}`),
    p2: postJson(times[2]!, BOB, undefined, '3laaaaaaaaaa4', 'p2', `{"$type":"app.bsky.feed.post","createdAt":"${EXAMPLE_CREATED_AT}","langs":["pt-BR"],"text":"olá"}`),
    p3: postJson(times[3]!, ALICE, 'alice.test', '3laaaaaaaaaa5', 'p3', `{"$type":"app.bsky.feed.post","createdAt":"${EXAMPLE_CREATED_AT}","text":"no langs"}`),
  });

  it('stores posts only (the like costs no time_us), with the handle of the latest identity', async () => {
    const { identity, p1, p2, p3 } = expected();
    expect(times).toHaveLength(4);
    expect(await firstMessages(`${base}?cursor=0`, 4)).toEqual([identity, p1, p2, p3]);
  });

  it('serves compressed subscribers the same rewritten events', async () => {
    const { identity, p1, p2, p3 } = expected();
    expect(await firstMessages(`${base}?cursor=0&compress=true`, 4)).toEqual([identity, p1, p2, p3]);
  });

  it('adds lang= to /subscribe: primary-language match, other kinds pass, combined with v1 filters', async () => {
    const { identity, p1, p2 } = expected();
    expect(await firstMessages(`${base}?cursor=0&lang=en`, 2)).toEqual([identity, p1]);
    // v1: identity and account events pass collection filters.
    expect(await firstMessages(`${base}?cursor=0&lang=pt&wantedCollections=app.bsky.feed.post`, 2)).toEqual([identity, p2]);
    expect(await firstMessages(`${base}?cursor=0&lang=fr,en&wantedDids=${ALICE}`, 2)).toEqual([identity, p1]);
  });

  it('refuses a malformed lang with 400 and a reason, like the v1 options', async () => {
    const answer = await fetch(`${base.replace('ws:', 'http:')}?lang=en_US`);
    expect([answer.status, await answer.text()]).toEqual([400, 'invalid lang: en_US']);
  });
});
