import { readFileSync, writeFileSync } from 'node:fs';
import {
  accountFrame,
  buildCommit,
  commitFrame,
  identityFrame,
  loadCarboxFrame,
  messageFrame,
  syncFrame,
} from '@jetstream-ts/testkit';
import { runCli, scratchDir } from './run-cli.test-util.js';

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const carbox = loadCarboxFrame();
const identity = identityFrame({ seq: 5, did: DID, time: '2024-01-01T00:00:00Z', handle: 'alice.test' });
const account = accountFrame({ seq: 6, did: DID, time: '2024-01-01T00:00:01Z', active: true });
const sync = syncFrame({
  seq: 7,
  did: DID,
  blocks: Uint8Array.of(1),
  rev: '3jzfcijpj2z2a',
  time: '2024-01-01T00:00:02Z',
});
const garbage = new TextEncoder().encode('not cbor at all');
const unknown = messageFrame('#handle', { seq: 8 });
const frames = [carbox, identity, garbage, account, sync, unknown];

// The v1 JSON of each event with a 16-digit time_us (any present-day Unix µs), by hand (§3).
const T = '1700000000000000';
const expectedJsonLengths = [
  `{"did":"did:plc:o32okshy54r5h2vlrjpz3aln","time_us":${T},"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"3ju35q7husm2p","record":{"$type":"app.bsky.feed.post","createdAt":"2023-04-23T23:05:15.184Z","text":"donkeyballs"},"cid":"bafyreifnusfxza4u2kcv7f7j4r7mb2td2v3xrynpcqud5inayllkq3obua"}}`,
  `{"did":"${DID}","time_us":${T},"kind":"identity","identity":{"did":"${DID}","handle":"alice.test","seq":5,"time":"2024-01-01T00:00:00Z"}}`,
  `{"did":"${DID}","time_us":${T},"kind":"account","account":{"active":true,"did":"${DID}","seq":6,"time":"2024-01-01T00:00:01Z"}}`,
].map((json) => json.length);

describe('jetstream inspect', () => {
  const scratch = scratchDir();
  afterAll(() => scratch.remove());

  it('reports counts, sizes and decode failures as JSON', async () => {
    const log = scratch.writeLog('mixed.log', frames);
    const result = await runCli(['inspect', log, '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    const frameSizes = frames.map((frame) => frame.length).sort((x, y) => x - y);
    const jsonSizes = [...expectedJsonLengths].sort((x, y) => x - y);

    expect(report).toMatchObject({
      path: log,
      truncated: false,
      frames: 6,
      events: 3,
      framesByType: { commit: 1, identity: 1, invalid: 1, account: 1, sync: 1, unknown: 1 },
      eventsByKind: { commit: 1, identity: 1, account: 1 },
      opsByAction: { create: 1 },
      topCollections: [{ collection: 'app.bsky.feed.post', ops: 1 }],
      frameBytes: {
        count: 6,
        min: frameSizes[0],
        p50: frameSizes[2],
        max: frameSizes[5],
        total: frameSizes.reduce((x, y) => x + y),
      },
      eventJsonBytes: { count: 3, min: jsonSizes[0], p50: jsonSizes[1], max: jsonSizes[2] },
      decodeFailures: 1,
      decodeFailureList: [{ frameIndex: 2, stage: 'frame', reason: 'invalid-frame' }],
    });
    expect(report.eventZstdBytes.count).toBe(3);
    expect(report.eventZstdBytes.min).toBeGreaterThan(0);
  });

  it('attributes an op dropped inside a commit to its frame index', async () => {
    // The second write's record block is left out of the CAR: that op is dropped, the first kept.
    const { body } = buildCommit({
      did: DID,
      rev: '3jzfcijpj2z2a',
      seq: 10,
      writes: [
        {
          action: 'create',
          collection: 'app.bsky.feed.like',
          rkey: '3jzfcijpj2z2a',
          record: { $type: 'app.bsky.feed.like' },
        },
        {
          action: 'create',
          collection: 'app.bsky.feed.post',
          rkey: '3jzfcijpj2z2b',
          record: { text: 'x' },
          omitBlock: true,
        },
      ],
    });
    const log = scratch.writeLog('missing-record.log', [identity, commitFrame(body)]);
    const report = JSON.parse((await runCli(['inspect', log, '--json'])).stdout);
    expect(report).toMatchObject({ frames: 2, events: 2, opsByAction: { create: 2 }, decodeFailures: 1 });
    expect(report.decodeFailureList).toEqual([
      expect.objectContaining({ frameIndex: 1, stage: 'op', path: 'app.bsky.feed.post/3jzfcijpj2z2b' }),
    ]);
  });

  it('prints tables by default', async () => {
    const log = scratch.writeLog('tables.log', frames);
    const result = await runCli(['inspect', log]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${log}: 6 frames, 3 events`);
    expect(result.stdout).toMatch(/frames by type:\n(\s+\S+\s+1\n){6}/);
    expect(result.stdout).toMatch(/\n\s+app\.bsky\.feed\.post\s+1\n/);
    expect(result.stdout).toMatch(/\n\s+event zstd \(v1 dictionary\)\s+3\s/);
    expect(result.stdout).toContain('decode failures: 1\n  frame 2: frame/invalid-frame');
  });

  it('warns about a log cut short and reports its whole frames', async () => {
    const path = scratch.path('cut.log');
    const whole = scratch.writeLog('whole.log', frames.slice(0, 2));
    writeFileSync(path, readFileSync(whole).subarray(0, -3));
    const result = await runCli(['inspect', path, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ truncated: true, frames: 1, events: 1 });
    expect(result.stderr).toContain('cut short inside frame 1');
  });

  it('fails with one line on a missing file and on a file that is not a frame log', async () => {
    const missing = scratch.path('nope.log');
    expect(await runCli(['inspect', missing])).toEqual({
      code: 1,
      stdout: '',
      stderr: `jetstream: ${missing}: no such file\n`,
    });
    const text = scratch.path('notes.txt');
    writeFileSync(text, 'hello, this is not a frame log\n');
    const result = await runCli(['inspect', text, '--json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^jetstream: .*notes\.txt: not a frame log/);
  });
});
