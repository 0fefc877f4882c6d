import { writeFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { decodeFrame, encodeFrameLog } from '@jetstream-ts/frames';
import { buildFrame } from '@jetstream-ts/testkit';
import { frameSeq } from '@jetstream-ts/models';
import { faultsFromOptions, type RelayCommandOptions } from './relay-command.js';
import { collector, runHarness, scratchDir, waitFor } from './run-harness.test-util.js';

const identity = (seq: number) =>
  buildFrame(
    { op: 1, t: '#identity' },
    { seq, did: `did:plc:user${seq}`, time: '2026-07-01T00:00:00.000Z' },
  );

const baseOptions: RelayCommandOptions = { frames: ['x.log'], host: '127.0.0.1', port: 0, loop: 1 };

describe('faultsFromOptions', () => {
  it('turns each fault flag into a fault, limited to the first connections when asked', () => {
    expect(
      faultsFromOptions({
        ...baseOptions,
        stallAfter: 5,
        disconnectAfter: 6,
        corruptAfter: 7,
        truncateAfter: 8,
        errorFrameAfter: ['9', 'ConsumerTooSlow', 'too slow'],
        faultsOnFirst: 2,
      }),
    ).toEqual([
      { kind: 'stall', after: 5, connections: 2 },
      { kind: 'disconnect', after: 6, connections: 2 },
      { kind: 'corrupt', after: 7, connections: 2 },
      { kind: 'truncate', after: 8, connections: 2 },
      { kind: 'error', after: 9, error: 'ConsumerTooSlow', message: 'too slow', connections: 2 },
    ]);
    expect(faultsFromOptions({ ...baseOptions, errorFrameAfter: ['0', 'FutureCursor'] })).toEqual([
      { kind: 'error', after: 0, error: 'FutureCursor', connections: undefined },
    ]);
    expect(faultsFromOptions(baseOptions)).toEqual([]);
  });

  it('explains a malformed --error-frame-after', () => {
    expect(() => faultsFromOptions({ ...baseOptions, errorFrameAfter: ['10'] })).toThrow(
      '<n> <name> [message]',
    );
    expect(() => faultsFromOptions({ ...baseOptions, errorFrameAfter: ['ten', 'X'] })).toThrow(
      '--error-frame-after: expected an integer >= 0, got "ten"',
    );
  });
});

describe('jetstream-harness relay', () => {
  const scratch = scratchDir();
  const log = scratch.path('relay.log');
  const laterLog = scratch.path('later.log');
  beforeAll(() => {
    writeFileSync(log, encodeFrameLog([1, 2, 3].map(identity)));
    writeFileSync(laterLog, encodeFrameLog([4, 5, 6].map(identity)));
  });
  afterAll(() => scratch.remove());

  it('prints its URL, serves the log with cursor semantics and loops, and stops on the stop signal', async () => {
    const stop = new AbortController();
    const stdout = collector();
    const running = runHarness(['relay', '--frames', log, laterLog, '--loop', '2'], {
      stop: stop.signal,
      stdout,
    });
    try {
      await waitFor(() => stdout.text().includes('\n'));
      const url = stdout.text().trim();
      expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/xrpc\/com\.atproto\.sync\.subscribeRepos$/);
      // The logs hold seqs 1..6, so the second pass is 7..12.
      const seqs = (await receive(`${url}?cursor=2`, 10)).map((bytes) => frameSeq(decodeFrame(bytes)));
      expect(seqs).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    } finally {
      stop.abort();
    }
    const run = await running;
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('serving 6 frames × 2 (last seq 12)');
    expect(run.stderr).toContain('connection 1: cursor 2, sent 10 frames, last seq 12');
  });

  it('injects faults given on the command line', async () => {
    const stop = new AbortController();
    const stdout = collector();
    const running = runHarness(['relay', '--frames', log, '--error-frame-after', '1', 'ConsumerTooSlow'], {
      stop: stop.signal,
      stdout,
    });
    try {
      await waitFor(() => stdout.text().includes('\n'));
      const frames = (await receive(stdout.text().trim(), 10)).map((bytes) => decodeFrame(bytes));
      expect(frames.map((frame) => frame.type)).toEqual(['identity', 'error']);
    } finally {
      stop.abort();
    }
    expect((await running).code).toBe(0);
  });

  it('fails clearly on a missing log or a missing --frames', async () => {
    const missing = await runHarness(['relay', '--frames', scratch.path('nope.log')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: ENOENT: no such file or directory/);
    const none = await runHarness(['relay']);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain("required option '--frames <log...>' not specified");
  });
});

/** Up to `count` messages, or fewer if the relay closes first (bounded in time). */
function receive(url: string, count: number): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const frames: Uint8Array[] = [];
    const socket = new WebSocket(url);
    const finish = () => {
      clearTimeout(timer);
      socket.terminate();
      resolve(frames);
    };
    const timer = setTimeout(finish, 5000);
    socket.on('message', (data: Buffer) => {
      frames.push(new Uint8Array(data));
      if (frames.length === count) finish();
    });
    socket.on('close', finish);
    socket.on('error', reject);
  });
}
