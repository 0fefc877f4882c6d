import { readFileSync } from 'node:fs';
import { startFakeRelay, type FakeRelay } from '@jetstream-ts/fake-relay';
import { parseFrameLog } from '@jetstream-ts/frames';
import { synthesizeFrames } from '@jetstream-ts/synthetic-firehose';
import { recordRelay } from './record-command.js';
import { runHarness, scratchDir, waitFor } from './run-harness.test-util.js';

const frames = [...synthesizeFrames({ frames: 200, seed: 'record', dids: 30, firstSeq: 1000 })];
const never = new AbortController().signal;

describe('jetstream-harness record', () => {
  const scratch = scratchDir();
  let relay: FakeRelay | undefined;
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
  });
  afterAll(() => scratch.remove());

  it('round-trips: relay → record → the same frames, byte for byte, and names the cursor to resume from', async () => {
    relay = await startFakeRelay({ frames });
    const output = scratch.path('round-trip.log');
    const run = await runHarness(['record', relay.url, '-o', output, '--cursor', '0', '--limit', '200']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /^recorded 200 frames \(.+\) to .+: limit reached; last seq 1199 \(resume with --cursor 1199\)\n$/,
    );
    expect(parseFrameLog(readFileSync(output))).toEqual({ frames, trailingBytes: 0 });
  });

  it('resumes from a cursor, on a bare ws://host:port, compressed', async () => {
    relay = await startFakeRelay({ frames });
    const output = scratch.path('resumed.log.zst');
    const origin = relay.url.replace('/xrpc/com.atproto.sync.subscribeRepos', '');
    const run = await runHarness([
      'record',
      origin,
      '-o',
      output,
      '--cursor',
      '1149',
      '--limit',
      '50',
      '--compress',
    ]);
    expect(run.code).toBe(0);
    expect(parseFrameLog(readFileSync(output)).frames).toEqual(frames.slice(150));
  });

  it('stops cleanly when the relay closes, keeping what it got', async () => {
    relay = await startFakeRelay({
      frames,
      faults: [{ kind: 'error', after: 20, error: 'ConsumerTooSlow' }],
    });
    const output = scratch.path('closed.log');
    const summary = await recordRelay(relay.url, { output }, { stop: never });
    // 20 frames, then the error frame, then the close.
    expect(summary).toMatchObject({
      frames: 21,
      lastSeq: 1019,
      ended: 'relay closed the connection (code 1000)',
    });
    expect(parseFrameLog(readFileSync(output)).frames.slice(0, 20)).toEqual(frames.slice(0, 20));
  });

  it('stops cleanly on the stop signal (Ctrl-C) with a whole log', async () => {
    relay = await startFakeRelay({ frames, faults: [{ kind: 'stall', after: 30 }] });
    const output = scratch.path('stopped.log');
    const stop = new AbortController();
    let received = 0;
    const recording = recordRelay(
      relay.url,
      { output },
      { stop: stop.signal },
      ({ frames: count }) => (received = count),
    );
    await waitFor(() => received === 30);
    stop.abort();
    expect(await recording).toMatchObject({ frames: 30, lastSeq: 1029, ended: 'stopped' });
    expect(parseFrameLog(readFileSync(output))).toEqual({ frames: frames.slice(0, 30), trailingBytes: 0 });
  });

  it('stops after --duration', async () => {
    relay = await startFakeRelay({ frames, faults: [{ kind: 'stall', after: 5 }] });
    const summary = await recordRelay(
      relay.url,
      // Long enough for the 5 frames to arrive on a loaded machine; the relay then stalls.
      { output: scratch.path('timed.log'), duration: 3 },
      { stop: never },
    );
    expect(summary).toMatchObject({ frames: 5, ended: '3 s elapsed' });
  });

  it('fails clearly when the relay cannot be reached or the URL is not a websocket', async () => {
    const refused = await runHarness(['record', 'ws://127.0.0.1:1', '-o', scratch.path('refused.log')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: .*ECONNREFUSED/);
    const http = await runHarness(['record', 'http://127.0.0.1:1', '-o', scratch.path('http.log')]);
    expect(http.code).toBe(1);
    expect(http.stderr).toContain('error: relay URL must be ws:// or wss://, got http://127.0.0.1:1');
  });
});
