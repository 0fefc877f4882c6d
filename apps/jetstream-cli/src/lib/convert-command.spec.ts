import { readFileSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { compress } from 'zstd-napi';
import { encodeFrameLog } from '@jetstream-ts/frames';
import { encodeEventJson, frameToEvents } from '@jetstream-ts/mapping';
import { decodeFrame } from '@jetstream-ts/frames';
import {
  accountFrame,
  identityFrame,
  loadCarboxFrame,
  loadIndigoScenario,
  messageFrame,
} from '@jetstream-ts/testkit';
import { runCli, scratchDir } from './run-cli.test-util.js';

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const frames = [
  loadCarboxFrame(),
  identityFrame({ seq: 5, did: DID, time: '2024-01-01T00:00:00Z', handle: 'alice.test' }),
  accountFrame({ seq: 6, did: DID, time: '2024-01-01T00:00:01Z', active: false, status: 'deactivated' }),
];

// Written by hand from reference §2.4-2.6 and §3: the carbox frame is an April 2023 commit
// without `rev` (so `rev` is left out), one post create; record keys sorted by bytes.
const expectedLines = [
  '{"did":"did:plc:o32okshy54r5h2vlrjpz3aln","time_us":1000,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"3ju35q7husm2p","record":{"$type":"app.bsky.feed.post","createdAt":"2023-04-23T23:05:15.184Z","text":"donkeyballs"},"cid":"bafyreifnusfxza4u2kcv7f7j4r7mb2td2v3xrynpcqud5inayllkq3obua"}}',
  `{"did":"${DID}","time_us":1001,"kind":"identity","identity":{"did":"${DID}","handle":"alice.test","seq":5,"time":"2024-01-01T00:00:00Z"}}`,
  `{"did":"${DID}","time_us":1002,"kind":"account","account":{"active":false,"did":"${DID}","seq":6,"status":"deactivated","time":"2024-01-01T00:00:01Z"}}`,
];

describe('jetstream convert', () => {
  const scratch = scratchDir();
  afterAll(() => scratch.remove());

  it('writes one v1 JSON line per event, in frame order, numbered from --start-time-us', async () => {
    const log = scratch.writeLog('three.log', frames);
    const result = await runCli(['convert', log, '--start-time-us', '1000']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(expectedLines.map((line) => line + '\n').join(''));
    expect(result.stderr).toBe('jetstream: converted 3 frames into 3 events, dropped 0\n');
  });

  it('writes exactly encodeEventJson of the events of every frame, one per line', async () => {
    const lifecycle = loadIndigoScenario('post_lifecycle').map((frame) => frame.bytes);
    const log = scratch.writeLog('lifecycle.log', lifecycle);
    const result = await runCli(['convert', log, '--start-time-us', '7']);

    const events = lifecycle.flatMap((frame) => frameToEvents(decodeFrame(frame)));
    events.forEach((event, index) => (event.time_us = 7 + index));
    const expected = events
      .map((event) => Buffer.from(encodeEventJson(event)).toString('utf8') + '\n')
      .join('');
    expect(events.length).toBeGreaterThan(0);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(expected);
  });

  it('stamps the wall clock, strictly increasing, without --start-time-us', async () => {
    const log = scratch.writeLog('clock.log', frames);
    const before = Date.now() * 1000;
    const result = await runCli(['convert', log]);
    const times = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).time_us as number);
    expect(times).toHaveLength(3);
    expect(times[0]).toBeGreaterThanOrEqual(before - 1000);
    expect(times[1]).toBeGreaterThan(times[0]);
    expect(times[2]).toBeGreaterThan(times[1]);
  });

  it('writes to a file with -o, and nothing to stdout', async () => {
    const log = scratch.writeLog('to-file.log', frames);
    const out = scratch.path('out.jsonl');
    const result = await runCli(['convert', log, '-o', out, '--start-time-us', '1000']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(expectedLines.map((line) => line + '\n').join(''));
  });

  it('reads a zstd-compressed log', async () => {
    const path = scratch.path('three.log.zst');
    writeFileSync(path, compress(encodeFrameLog(frames)));
    const result = await runCli(['convert', path, '--start-time-us', '1000']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(expectedLines.map((line) => line + '\n').join(''));
  });

  it('converts the whole frames of a log cut short, warns, and succeeds', async () => {
    const path = scratch.path('cut.log');
    const log = encodeFrameLog(frames);
    writeFileSync(path, log.subarray(0, log.length - 10));
    const result = await runCli(['convert', path, '--start-time-us', '1000']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      expectedLines
        .slice(0, 2)
        .map((line) => line + '\n')
        .join(''),
    );
    expect(result.stderr).toContain('warning');
    expect(result.stderr).toContain('cut short inside frame 2');
    expect(result.stderr).toContain('converted 2 frames into 2 events');
  });

  it('converts the whole frames of a zstd log whose stream breaks off, and fails on one that breaks at once', async () => {
    // Varied frames, so that the compressed stream spans several zstd blocks (128 KiB each).
    const identities = Array.from({ length: 3000 }, (_, seq) =>
      identityFrame({ seq, did: DID, time: '2024-01-01T00:00:00Z', handle: `user${seq}.test` }),
    );
    const compressed = compress(encodeFrameLog(identities));
    const cut = scratch.path('cut.log.zst');
    writeFileSync(cut, compressed.subarray(0, Math.floor(compressed.length * 0.6)));
    const result = await runCli(['convert', cut, '--start-time-us', '1']);
    const lines = result.stdout.trim().split('\n');
    expect(result.code).toBe(0);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThan(3000);
    expect(lines[1]).toBe(
      `{"did":"${DID}","time_us":2,"kind":"identity","identity":{"did":"${DID}","handle":"user1.test","seq":1,"time":"2024-01-01T00:00:00Z"}}`,
    );
    expect(result.stderr).toContain(`warning: ${cut}: the log is cut short inside frame ${lines.length}`);

    const broken = scratch.path('broken.log.zst');
    writeFileSync(broken, compressed.subarray(0, 12));
    const failed = await runCli(['convert', broken]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /^jetstream: .*broken\.log\.zst: corrupt zstd-compressed frame log \(.*\)\n$/,
    );
  });

  it('counts dropped input by stage and reason and still succeeds', async () => {
    const garbage = new TextEncoder().encode('not cbor at all');
    const log = scratch.writeLog('drops.log', [
      frames[1],
      garbage,
      messageFrame('#handle', { seq: 9 }),
      garbage,
      frames[2],
    ]);
    const result = await runCli(['convert', log, '--start-time-us', '1000']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(2);
    const [summary, ...drops] = result.stderr.trim().split('\n');
    expect(summary).toBe('jetstream: converted 5 frames into 2 events, dropped 3');
    expect(drops).toHaveLength(2);
    expect(drops[0]).toMatch(/^\s+2 {2}frame\/invalid-frame/);
    expect(drops[1]).toMatch(/^\s+1 {2}frame\/unknown-type {2}\(first: seq 9, #handle\)$/);
  });

  it('fails with one line when the file is missing', async () => {
    const missing = scratch.path('missing.log');
    const result = await runCli(['convert', missing]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`jetstream: ${missing}: no such file\n`);
  });

  it('fails with one line on a file that is not a frame log', async () => {
    const path = scratch.path('readme.txt');
    writeFileSync(path, 'hello, this is not a frame log\n');
    const result = await runCli(['convert', path]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^jetstream: .*readme\.txt: not a frame log \(.*\)\n$/);
  });

  it('fails when no record of the log decodes as a relay frame', async () => {
    const log = scratch.writeLog('records.log', [Uint8Array.of(1, 2, 3), Uint8Array.of(0xff)]);
    const result = await runCli(['convert', log]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `jetstream: ${log}: not a frame log (none of its 2 records decodes as a subscribeRepos frame)\n`,
    );
  });

  it('stops quietly and succeeds when the reader of its output goes away', async () => {
    // Enough events for several output chunks; the reader breaks after the first.
    const log = scratch.writeLog(
      'many.log',
      Array.from({ length: 600 }, () => frames[0]),
    );
    let writes = 0;
    const brokenPipe = new Writable({
      write: (_chunk, _encoding, callback) => {
        writes++;
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const result = await runCli(['convert', log], brokenPipe);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(writes).toBe(1);
  });

  it('rejects a --start-time-us that is not a positive integer', async () => {
    const result = await runCli(['convert', 'x.log', '--start-time-us', '12abc']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('expected a positive integer');
  });

  it('documents itself, including the exit status on a log cut short', async () => {
    const result = await runCli(['convert', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--start-time-us <N>');
    expect(result.stdout).toContain('-o, --output <file>');
    expect(result.stdout).toContain('ends inside its last record');
  });
});
