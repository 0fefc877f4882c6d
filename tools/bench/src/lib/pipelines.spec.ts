import { createV1Decompressor } from '@jetstream-ts/compression';
import { loadCarboxFrame, loadIndigoCommitFrame, loadIndigoScenario } from '@jetstream-ts/testkit';
import { atcuteFrameToJson } from './atcute-pipeline.js';
import { createJetstreamFrameToZstd, jetstreamFrameToJson } from './jetstream-pipelines.js';
import { naiveFrameToJson } from './naive-pipeline.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

// The carbox frame's one event, by hand from reference §2.4-2.6 and §3 (no `rev` in an April 2023 commit).
const carboxEvent = {
  did: 'did:plc:o32okshy54r5h2vlrjpz3aln',
  time_us: 0,
  kind: 'commit',
  commit: {
    operation: 'create',
    collection: 'app.bsky.feed.post',
    rkey: '3ju35q7husm2p',
    record: { $type: 'app.bsky.feed.post', createdAt: '2023-04-23T23:05:15.184Z', text: 'donkeyballs' },
    cid: 'bafyreifnusfxza4u2kcv7f7j4r7mb2td2v3xrynpcqud5inayllkq3obua',
  },
};

describe('the benchmarked pipelines', () => {
  const carbox = loadCarboxFrame();

  it('all turn the carbox frame into the same event', async () => {
    expect((await naiveFrameToJson(carbox)).map((json) => JSON.parse(json))).toEqual([carboxEvent]);
    expect(atcuteFrameToJson(carbox).map((json) => JSON.parse(json))).toEqual([carboxEvent]);
    expect(jetstreamFrameToJson(carbox).map((json) => JSON.parse(text(json)))).toEqual([carboxEvent]);
  });

  it('agree on the content of every real fixture frame (so they do the same work)', async () => {
    const frames = [
      ...loadIndigoScenario('post_lifecycle'),
      ...loadIndigoScenario('account_lifecycle'),
      loadIndigoCommitFrame('firehose_commit_4621332152'),
      loadIndigoCommitFrame('firehose_commit_4623075231'),
    ].map((frame) => frame.bytes);
    let events = 0;
    for (const frame of frames) {
      const ours = jetstreamFrameToJson(frame).map((json) => JSON.parse(text(json)));
      events += ours.length;
      expect((await naiveFrameToJson(frame)).map((json) => JSON.parse(json))).toEqual(ours);
      expect(atcuteFrameToJson(frame).map((json) => JSON.parse(json))).toEqual(ours);
    }
    expect(events).toBeGreaterThan(40);
  });

  it('compresses exactly our JSON with the v1 dictionary in (d)', () => {
    const decompressor = createV1Decompressor();
    const compressed = createJetstreamFrameToZstd()(carbox);
    expect(compressed.map((zstd) => text(decompressor.decompress(zstd)))).toEqual(
      jetstreamFrameToJson(carbox).map(text),
    );
  });
});
