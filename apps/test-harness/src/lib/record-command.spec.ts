import { readFileSync } from 'node:fs';
import { startFakeRelay, type FakeRelay } from '@jetstream-ts/fake-relay';
import { parseFrameLog } from '@jetstream-ts/frames';
import { synthesizeFrames } from '@jetstream-ts/synthetic-firehose';
import { runHarness, scratchDir } from './run-harness.test-util.js';

const frames = [...synthesizeFrames({ frames: 200, seed: 'record', dids: 30, firstSeq: 1000 })];

// The recorder itself is tested in @jetstream-ts/upstream (record-relay.spec.ts); this is the command.
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
    const run = await runHarness(['record', origin, '-o', output, '--cursor', '1149', '--limit', '50', '--compress']);
    expect(run.code).toBe(0);
    expect(parseFrameLog(readFileSync(output)).frames).toEqual(frames.slice(150));
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
