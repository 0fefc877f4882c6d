// zstd-napi against node:zlib's zstd on the server's path: one 551-byte v1 event per call, level 3,
// the v1 dictionary. Prints calls per second and whether both write the same bytes.
// Run: `taskset -c 0 node libs/compression/bench/zstd-engines.mjs` (any Node; zlib has zstd from 22.15).
import { readFileSync } from 'node:fs';
import * as zlib from 'node:zlib';
import { Compressor, Decompressor } from 'zstd-napi';

const dictionary = readFileSync(new URL('../assets/zstd_dictionary_v1', import.meta.url));
const event = Buffer.from(
  '{"did":"did:plc:zpc5impy44se346dqhw7jhpl","time_us":1796284534164380,"kind":"commit","commit":{"rev":"3mplhr7knlgnh","operation":"create","collection":"app.bsky.feed.post","rkey":"3mplhr67c77nh","record":{"$type":"app.bsky.feed.post","createdAt":"2026-07-01T11:59:58.939Z","facets":[{"features":[{"$type":"app.bsky.richtext.facet#tag","tag":"rust"}],"index":{"byteEnd":64,"byteStart":59}}],"langs":["ja"],"text":"ラーメン食べたい🍜\\n\\nラーメン食べたい🍜 #rust"},"cid":"bafyreiemghcj577msjzev2onxpyrrixkwfaym7ggjbli47rpczhl6r6rfi"}}',
);

/** Median of three timed runs, in calls per second. */
function rate(call, calls) {
  for (let i = 0; i < calls / 10; i++) call();
  const rates = [0, 1, 2].map(() => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) call();
    return calls / (Number(process.hrtime.bigint() - start) / 1e9);
  });
  return Math.round(rates.sort((a, b) => a - b)[1]).toLocaleString('en-US');
}

const compressor = new Compressor();
compressor.setParameters({ compressionLevel: 3, windowLog: 17, contentSizeFlag: true, checksumFlag: true, dictIDFlag: true });
compressor.loadDictionary(dictionary);
const decompressor = new Decompressor();
decompressor.loadDictionary(dictionary);
const frame = compressor.compress(event);

console.log(`Node ${process.version}, one ${event.length}-byte event per call, level 3, v1 dictionary`);
console.log(`zstd-napi  compress ${rate(() => compressor.compress(event), 50_000)}/s, decompress ${rate(() => decompressor.decompress(frame), 50_000)}/s, ${frame.length} bytes`);
if (typeof zlib.zstdCompressSync !== 'function') {
  console.log('node:zlib  has no zstd on this Node');
} else {
  const c = zlib.constants;
  const params = { [c.ZSTD_c_compressionLevel]: 3, [c.ZSTD_c_windowLog]: 17, [c.ZSTD_c_checksumFlag]: 1, [c.ZSTD_c_contentSizeFlag]: 1, [c.ZSTD_c_dictIDFlag]: 1 };
  const nodeFrame = zlib.zstdCompressSync(event, { params, dictionary });
  const compress = rate(() => zlib.zstdCompressSync(event, { params, dictionary }), 2_000);
  let decompress;
  try {
    decompress = `${rate(() => zlib.zstdDecompressSync(frame, { dictionary }), 2_000)}/s`;
  } catch (error) {
    decompress = `fails (${error.message})`;
  }
  console.log(`node:zlib  compress ${compress}/s, decompress ${decompress}, ${nodeFrame.length} bytes, identical to zstd-napi's: ${nodeFrame.equals(frame)}`);
}
