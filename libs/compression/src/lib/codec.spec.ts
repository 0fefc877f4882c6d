import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastValueFrom, of, toArray } from 'rxjs';
import { ZSTD_DICTIONARY_V1_ID, type EncodedEvent } from '@jetstream-ts/models';
import { createV1Compressor, createV1Decompressor } from './codec.js';
import { compressEvents } from './compress-events.js';
import { frameDictionaryId, loadV1Dictionary } from './dictionary.js';

// A like as v1 emits it (shape from the reference, section 3).
const likeJson = new TextEncoder().encode(
  '{"did":"did:plc:ewvi7nxzyoun6zhxrhs64oiz","time_us":1725911162329308,"kind":"commit","commit":{"rev":"3l3qo2vutsw2b","operation":"create","collection":"app.bsky.feed.like","rkey":"3l3qo2vuowo2b","record":{"$type":"app.bsky.feed.like","createdAt":"2024-09-09T19:46:02.102Z","subject":{"cid":"bafyreidc6sydkkbchcyg62v77wbhzvb2mvytlmsychqgwf2xojjtirmzj4","uri":"at://did:plc:wa7b35aakoll7hugkrjtf3xf/app.bsky.feed.post/3l3pte3p2e325"}},"cid":"bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"}}',
);

describe('v1 dictionary', () => {
  it('is the dictionary v1 clients decode with', () => {
    const dictionary = loadV1Dictionary();
    expect(dictionary.length).toBe(112_640);
    expect(createHash('sha256').update(dictionary).digest('hex')).toBe(
      'b8d77b46933aceecbdd5275a01241efc985c970c78162b8150cf67a26522f70c',
    );
  });
});

describe('createV1Compressor', () => {
  const compressor = createV1Compressor();
  const decompressor = createV1Decompressor();

  it('round-trips and writes the v1 dictionary ID in every frame', () => {
    const frame = compressor.compress(likeJson);
    expect(frameDictionaryId(frame)).toBe(ZSTD_DICTIONARY_V1_ID);
    expect(Buffer.from(decompressor.decompress(frame))).toEqual(Buffer.from(likeJson));
    expect(frame.length).toBeLessThan(likeJson.length * 0.6);
  });

  it('produces frames that the zstd command line decodes with the dictionary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zstd-'));
    try {
      writeFileSync(join(dir, 'event.zst'), compressor.compress(likeJson));
      const dictionaryPath = fileURLToPath(new URL('../../assets/zstd_dictionary_v1', import.meta.url));
      const result = spawnSync('zstd', ['-d', '-q', '-c', '-D', dictionaryPath, join(dir, 'event.zst')]);
      expect(result.error).toBeUndefined();
      expect(result.status).toBe(0);
      expect(result.stdout).toEqual(Buffer.from(likeJson));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cannot be decoded without the dictionary', () => {
    const frame = compressor.compress(likeJson);
    expect(() => createV1Decompressor(new Uint8Array(0)).decompress(frame)).toThrow();
  });
});

describe('compressEvents', () => {
  it('adds the zstd bytes of each event once and keeps the JSON', async () => {
    const compressor = createV1Compressor();
    let calls = 0;
    const counting = { compress: (json: Uint8Array) => (calls++, compressor.compress(json)) };
    const event: EncodedEvent = {
      time_us: 1,
      relaySeq: 7,
      did: 'did:plc:ewvi7nxzyoun6zhxrhs64oiz',
      kind: 'commit',
      collection: 'app.bsky.feed.like',
      json: likeJson,
    };
    const [logged] = await lastValueFrom(of(event).pipe(compressEvents(counting), toArray()));
    expect(calls).toBe(1);
    expect(logged.json).toBe(likeJson);
    expect(Buffer.from(createV1Decompressor().decompress(logged.zstd))).toEqual(Buffer.from(likeJson));
  });
});
