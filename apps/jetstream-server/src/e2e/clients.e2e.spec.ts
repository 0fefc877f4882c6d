import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createV1Decompressor } from '@jetstream-ts/compression';
import { startFakeRelay, type FakeRelay } from '@jetstream-ts/fake-relay';
import { synthesizeFrames } from '@jetstream-ts/synthetic-firehose';
import { startAtcute, startSkyware, summarize, type AtcuteOptions, type LibraryClient, type SkywareOptions } from './client-libraries.test-util.js';
import { sleep, startE2eServer, subscribe, until, type E2eServer, type Subscriber } from './e2e-server.test-util.js';

const FRAMES = 3000;
const FIRST_SEQ = 1;
/** The v1 dictionary as the compression lib ships it (the file `zstd -D` gets). */
const DICTIONARY = fileURLToPath(new URL('../../../../libs/compression/assets/zstd_dictionary_v1', import.meta.url));

/** Waits until `events` holds `count` entries, then a moment more, to catch extra ones. */
async function allOf(events: readonly unknown[], count: number, what: string): Promise<void> {
  await until(() => events.length >= count, `${what} to receive ${count} events (has ${events.length})`, 30_000);
  await sleep(300);
}

describe('end to end: fake relay with synthetic traffic → server → three client libraries', () => {
  let relay: FakeRelay | undefined;
  let server: E2eServer | undefined;
  /** What the server stored, as v1 JSON, oldest first: what every cursor=0 client must get. */
  let stored: string[];
  let storedSummaries: string[];
  const subscribers: Subscriber[] = [];

  beforeAll(async () => {
    relay = await startFakeRelay({ frames: [...synthesizeFrames({ frames: FRAMES, seed: 'e2e-clients', dids: 200, firstSeq: FIRST_SEQ })] });
    server = await startE2eServer(relay.url);
    const lastSeq = FIRST_SEQ + FRAMES - 1;
    await until(() => server!.log.relayCursor() === lastSeq, `the server to ingest ${FRAMES} frames`, 30_000);
    stored = server.log.readFrom(0, Number.MAX_SAFE_INTEGER).map((event) => Buffer.from(event.json).toString('utf8'));
    storedSummaries = stored.map((json) => summarize(JSON.parse(json)));
    // The synthetic mix: mostly commits, a few identity and account events.
    expect(stored.length).toBeGreaterThanOrEqual(FRAMES * 0.95);
    expect(new Set(stored.map((json) => JSON.parse(json).kind))).toEqual(new Set(['commit', 'identity', 'account']));
  }, 60_000);

  afterAll(async () => {
    for (const subscriber of subscribers) subscriber.close();
    await server?.close();
    await relay?.close();
  });

  function plainClient(query: string, headers: Record<string, string> = {}): Subscriber {
    const subscriber = subscribe(server!.subscribeUrl(query), headers);
    subscribers.push(subscriber);
    return subscriber;
  }

  it('a plain ws client gets exactly what the server stored, as text, from cursor=0', async () => {
    const client = plainClient('cursor=0');
    await allOf(client.messages, stored.length, 'the plain client');
    expect(client.messages.every((message) => !message.binary)).toBe(true);
    expect(client.texts()).toEqual(stored);
  });

  it('plain ws clients asking for zstd (compress=true, or Socket-Encoding: zstd) get the same JSON as binary v1-dictionary frames', async () => {
    const byQuery = plainClient('cursor=0&compress=true');
    const byHeader = plainClient('cursor=0', { 'Socket-Encoding': 'zstd' });
    const decompressor = createV1Decompressor();
    for (const client of [byQuery, byHeader]) {
      await allOf(client.messages, stored.length, 'a compressed client');
      expect(client.messages.every((message) => message.binary)).toBe(true);
      expect(client.messages.map((message) => Buffer.from(decompressor.decompress(message.data)).toString('utf8'))).toEqual(stored);
    }
  });

  it("a compressed message decodes with Debian's zstd -d -D <v1 dictionary> to the JSON the uncompressed client got", async () => {
    const compressed = plainClient('cursor=0&compress=true');
    const uncompressed = plainClient('cursor=0');
    await allOf(compressed.messages, stored.length, 'the compressed client');
    await allOf(uncompressed.messages, stored.length, 'the uncompressed client');
    const scratch = mkdtempSync(join(tmpdir(), 'jetstream-e2e-zstd-'));
    try {
      // The first, one in the middle, the last, and the largest (likely a long post).
      const largest = compressed.messages.reduce((best, message, i) => (message.data.length > compressed.messages[best]!.data.length ? i : best), 0);
      for (const index of [0, Math.floor(stored.length / 2), stored.length - 1, largest]) {
        const file = join(scratch, `event-${index}.zst`);
        writeFileSync(file, compressed.messages[index]!.data);
        const json = execFileSync('zstd', ['-q', '-d', '-c', '-D', DICTIONARY, file], { timeout: 10_000 }).toString('utf8');
        expect(json).toBe(uncompressed.texts()[index]);
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  /** The stored events (as summaries) a filtered subscriber should get. */
  function storedMatching(wanted: (event: { did: string; kind: string; commit?: { collection: string } }) => boolean): string[] {
    return stored.filter((json) => wanted(JSON.parse(json))).map((json) => summarize(JSON.parse(json)));
  }

  /** The DIDs of the `count` most active accounts (Zipf: they have commits of every kind). */
  function busiestDids(count: number): string[] {
    const perDid = new Map<string, number>();
    for (const { did } of stored.map((json) => JSON.parse(json) as { did: string })) perDid.set(did, (perDid.get(did) ?? 0) + 1);
    return [...perDid.entries()].sort((a, b) => b[1] - a[1]).slice(0, count).map(([did]) => did);
  }

  /** What a client library receives until `count` events and a quiet moment; it reported no errors. */
  async function receiveWith(client: LibraryClient, count: number, what: string): Promise<string[]> {
    try {
      await allOf(client.received, count, what);
    } finally {
      await client.close();
    }
    expect(client.errors).toEqual([]);
    return client.received;
  }

  const receiveWithSkyware = (count: number, options: SkywareOptions = {}, endpoint = server!.subscribeUrl('cursor=0')) =>
    receiveWith(startSkyware(endpoint, options), count, '@skyware/jetstream');
  const receiveWithAtcute = (count: number, options: Omit<AtcuteOptions, 'cursor'> = {}) =>
    receiveWith(startAtcute(server!.baseUrl, { cursor: 0, ...options }), count, '@atcute/jetstream');

  it('@skyware/jetstream gets the same events, uncompressed', async () => {
    expect(await receiveWithSkyware(stored.length)).toEqual(storedSummaries);
  });

  it('@skyware/jetstream with a wantedCollections prefix (app.bsky.graph.*) gets the matching commits and every identity and account event', async () => {
    const expected = storedMatching((event) => event.kind !== 'commit' || event.commit!.collection.startsWith('app.bsky.graph.'));
    expect(expected.some((summary) => summary.includes('"collection":"app.bsky.graph.'))).toBe(true);
    expect(await receiveWithSkyware(expected.length, { wantedCollections: ['app.bsky.graph.*'] })).toEqual(expected);
  });

  it('@atcute/jetstream (hello handshake, validated events) gets the same events, uncompressed', async () => {
    expect(await receiveWithAtcute(stored.length)).toEqual(storedSummaries);
  });

  it('@atcute/jetstream with filters sent in its hello gets only those DIDs, and only their posts among commits', async () => {
    const dids = busiestDids(5);
    const expected = storedMatching((event) => dids.includes(event.did) && (event.kind !== 'commit' || event.commit!.collection === 'app.bsky.feed.post'));
    expect(expected.some((summary) => summary.includes('"collection":"app.bsky.feed.post"'))).toBe(true);
    const received = await receiveWithAtcute(expected.length, {
      wantedCollections: ['app.bsky.feed.post'],
      wantedDids: dids as `did:${string}:${string}`[],
    });
    expect(received).toEqual(expected);
  });

  /** v1's maximum of 10,000 wanted DIDs: `dids` and made-up ones that match nothing. */
  function tenThousandDids(dids: readonly string[]): `did:${string}:${string}`[] {
    const unknown = Array.from({ length: 10_000 - dids.length }, (_, i) => `did:plc:${String(i).padStart(24, 'z')}`);
    return [...dids, ...unknown] as `did:${string}:${string}`[];
  }

  it('@skyware/jetstream with 10,000 wantedDids in the query (a 480 KB URL) gets the events of those DIDs', async () => {
    const dids = busiestDids(3);
    const expected = storedMatching((event) => dids.includes(event.did));
    // The cursor goes in as the option `cursor: 1` (v1: 0 and 1 both cover all stored events), not
    // in the endpoint: the library appends each DID to the URL, and appending 10,000 parameters to
    // a URL that already has a query takes Node 20's URL about 14 s (4 ms without one).
    const options = { cursor: 1, wantedDids: tenThousandDids(dids) };
    expect(await receiveWithSkyware(expected.length, options, server!.subscribeUrl())).toEqual(expected);
  });

  it('@atcute/jetstream with 10,000 wantedDids in its hello (a 350 KB options_update) gets the events of those DIDs', async () => {
    const dids = busiestDids(3);
    const expected = storedMatching((event) => dids.includes(event.did));
    expect(await receiveWithAtcute(expected.length, { wantedDids: tenThousandDids(dids) })).toEqual(expected);
  });
});
