import { existsSync, readFileSync, statSync } from 'node:fs';
import { startFakeRelay } from '@jetstream-ts/fake-relay';
import { parseFrameLog } from '@jetstream-ts/frames';
import { accountFrame, identityFrame } from '@jetstream-ts/testkit';
import { runCli, scratchDir } from './run-cli.test-util.js';

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const frames = [
  identityFrame({ seq: 5, did: DID, time: '2024-01-01T00:00:00Z', handle: 'alice.test' }),
  accountFrame({ seq: 6, did: DID, time: '2024-01-01T00:00:01Z', active: false, status: 'deactivated' }),
  identityFrame({ seq: 7, did: DID, time: '2024-01-01T00:00:02Z' }),
];

describe('jetstream record', () => {
  const scratch = scratchDir();
  afterAll(() => scratch.remove());

  it('records a relay into a frame log that convert turns into the v1 events (round trip)', async () => {
    const relay = await startFakeRelay({ frames });
    try {
      const log = scratch.path('capture.log.zst');
      const recorded = await runCli(['record', relay.url, '-o', log, '--cursor', '0', '--limit', '2', '--compress']);
      expect(recorded).toMatchObject({ code: 0, stdout: '' });
      expect(recorded.stderr).toMatch(/^recorded 2 frames \(\d+ B\) to .*capture\.log\.zst: limit reached; last seq 6 \(resume with --cursor 6\)\n$/);
      expect(parseFrameLog(readFileSync(log))).toEqual({ frames: frames.slice(0, 2), trailingBytes: 0 });

      // Written by hand from reference §2.5 and §3.
      const converted = await runCli(['convert', log, '--start-time-us', '1000']);
      expect(converted.stdout).toBe(
        `{"did":"${DID}","time_us":1000,"kind":"identity","identity":{"did":"${DID}","handle":"alice.test","seq":5,"time":"2024-01-01T00:00:00Z"}}\n` +
          `{"did":"${DID}","time_us":1001,"kind":"account","account":{"active":false,"did":"${DID}","seq":6,"status":"deactivated","time":"2024-01-01T00:00:01Z"}}\n`,
      );
    } finally {
      await relay.close();
    }
  });

  it('stops on Ctrl-C with a whole log, and after --duration', async () => {
    const relay = await startFakeRelay({ frames });
    try {
      const stop = new AbortController();
      const log = scratch.path('stopped.log');
      const running = runCli(['record', relay.url, '-o', log, '--cursor', '6'], undefined, stop.signal);
      // The relay sends its last frame and waits (a live tail): stop once the log holds it.
      const recordedSize = 4 + frames[2]!.length;
      while (!existsSync(log) || statSync(log).size < recordedSize) await new Promise((resolve) => setTimeout(resolve, 5));
      stop.abort();
      const run = await running;
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/: stopped; last seq 7 \(resume with --cursor 7\)\n$/);
      expect(parseFrameLog(readFileSync(log)).frames).toEqual(frames.slice(2));

      const timed = await runCli(['record', relay.url, '-o', scratch.path('timed.log'), '--cursor', '7', '--duration', '200ms']);
      expect(timed.stderr).toMatch(/^recorded 0 frames \(0 B\) to .*: 0\.2 s elapsed\n$/);
    } finally {
      await relay.close();
    }
  });

  it('fails clearly when the relay cannot be reached, and refuses --limit with --duration', async () => {
    const refused = await runCli(['record', 'ws://127.0.0.1:1', '-o', scratch.path('refused.log')]);
    expect(refused).toMatchObject({ code: 1, stderr: 'error: connect ECONNREFUSED 127.0.0.1:1\n' });
    const both = await runCli(['record', 'ws://127.0.0.1:1', '-o', scratch.path('x.log'), '--limit', '1', '--duration', '1m']);
    expect(both.stderr).toContain("error: option '--limit <n>' cannot be used with option '--duration <duration>'");
  });
});
