import { createV1Compressor, createV1Decompressor } from '@jetstream-ts/compression';
import { createMemoryEventStore } from '@jetstream-ts/cursor-buffer';
import { buildCommit, commitFrame, createDropRecorder, identityFrame, syncFrame } from '@jetstream-ts/testkit';
import { from, lastValueFrom } from 'rxjs';
import { ingestFrames } from './ingest-frames.js';
import { v1IngestStages } from './v1-ingest-stages.js';

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const TIME = '2024-09-25T00:00:00.000Z';

describe('v1IngestStages', () => {
  it('turns relay frames into stored v1 JSON with its zstd, and commits the last frame as cursor', async () => {
    const post = { $type: 'app.bsky.feed.post', text: 'a <b> & c', createdAt: TIME };
    const commit = buildCommit({ did: DID, rev: '3l3qo2vutsw2b', seq: 10, time: TIME, writes: [{ action: 'create', collection: 'app.bsky.feed.post', rkey: '3l3qo2vuowo2b', record: post }] });
    const cid = commit.records.get('app.bsky.feed.post/3l3qo2vuowo2b')!.cid.toString();
    const frames = [
      commitFrame(commit.body),
      identityFrame({ seq: 11, did: DID, time: TIME, handle: 'alice.test' }),
      syncFrame({ seq: 12, did: DID, blocks: new Uint8Array(), rev: '3l3qo2vutsw2c', time: TIME }),
      Uint8Array.of(1, 2, 3),
    ];
    const store = createMemoryEventStore();
    const drops = createDropRecorder();
    await lastValueFrom(from(frames).pipe(ingestFrames({ log: store, stages: v1IngestStages({ compressor: createV1Compressor(), drops }), clock: () => 0 })));

    const events = store.readFrom(0, 10);
    const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    expect(events.map((event) => text(event.json))).toEqual([
      `{"did":"${DID}","time_us":1,"kind":"commit","commit":{"rev":"3l3qo2vutsw2b","operation":"create","collection":"app.bsky.feed.post","rkey":"3l3qo2vuowo2b","record":{"$type":"app.bsky.feed.post","createdAt":"${TIME}","text":"a \\u003cb\\u003e \\u0026 c"},"cid":"${cid}"}}`,
      `{"did":"${DID}","time_us":2,"kind":"identity","identity":{"did":"${DID}","handle":"alice.test","seq":11,"time":"${TIME}"}}`,
    ]);
    const decompressor = createV1Decompressor();
    expect(events.map((event) => text(decompressor.decompress(event.zstd)))).toEqual(events.map((event) => text(event.json)));
    expect(store.relayCursor()).toBe(12);
    expect(drops.reports.map((report) => report.reason)).toEqual(['invalid-frame']);
  });
});
