import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFrameLog } from '@jetstream-ts/frames';
import { describeRecordProgress, describeRecordSummary, formatBytes, recordRelay } from './record-relay.js';
import { identityFrameWithSeq, startLoopbackRelay } from './loopback-relay.test-util.js';

const frames = Array.from({ length: 40 }, (_, i) => identityFrameWithSeq(101 + i));

describe('recordRelay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'record-relay-'));
  const output = (name: string) => join(dir, name);
  let relay: Awaited<ReturnType<typeof startLoopbackRelay>> | undefined;
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the frames byte for byte up to the limit, from the cursor, on a bare origin', async () => {
    relay = await startLoopbackRelay((socket) => frames.forEach((frame) => socket.send(frame)));
    const summary = await recordRelay(relay.origin, { output: output('limit.log'), cursor: 100, limit: 25 });
    expect(relay.requests).toEqual(['/xrpc/com.atproto.sync.subscribeRepos?cursor=100']);
    expect(summary).toEqual({ frames: 25, bytes: 25 * frames[0]!.length, lastSeq: 125, ended: 'limit reached' });
    expect(parseFrameLog(readFileSync(output('limit.log')))).toEqual({ frames: frames.slice(0, 25), trailingBytes: 0 });
  });

  it('ends with what it got when the relay closes, naming the close code and reason', async () => {
    relay = await startLoopbackRelay((socket) => {
      frames.slice(0, 3).forEach((frame) => socket.send(frame));
      socket.close(1011, 'relay restarting');
    });
    const summary = await recordRelay(relay.origin, { output: output('closed.log.zst'), compress: true });
    expect(summary).toEqual({ frames: 3, bytes: 3 * frames[0]!.length, lastSeq: 103, ended: 'relay closed the connection (code 1011: relay restarting)' });
    expect(parseFrameLog(readFileSync(output('closed.log.zst'))).frames).toEqual(frames.slice(0, 3));
  });

  it('stops on the stop signal with a whole log', async () => {
    relay = await startLoopbackRelay((socket) => frames.slice(0, 5).forEach((frame) => socket.send(frame)));
    const stop = new AbortController();
    const summary = await recordRelay(relay.origin, {
      output: output('stopped.log'),
      stop: stop.signal,
      onProgress: ({ frames: count }) => count === 5 && stop.abort(),
    });
    expect(summary).toMatchObject({ frames: 5, lastSeq: 105, ended: 'stopped' });
    expect(parseFrameLog(readFileSync(output('stopped.log')))).toEqual({ frames: frames.slice(0, 5), trailingBytes: 0 });
  });

  it('stops after the duration', async () => {
    relay = await startLoopbackRelay((socket) => socket.send(frames[0]!));
    const summary = await recordRelay(relay.origin, { output: output('timed.log'), durationMs: 300 });
    expect(summary).toMatchObject({ frames: 1, ended: '0.3 s elapsed' });
  });

  it('rejects when the relay cannot be reached, when it sends text, and for a URL that is not ws://', async () => {
    await expect(recordRelay('ws://127.0.0.1:1', { output: output('refused.log') })).rejects.toThrow('ECONNREFUSED');
    relay = await startLoopbackRelay((socket) => socket.send('hello'));
    await expect(recordRelay(relay.origin, { output: output('text.log') })).rejects.toThrow(
      'expected binary messages from subscribeRepos, got text',
    );
    await expect(recordRelay('http://127.0.0.1:1', { output: output('http.log') })).rejects.toThrow(
      'relay URL must be ws:// or wss://, got http://127.0.0.1:1',
    );
  });
});

describe('record progress texts', () => {
  it('says frames, size, rate and the cursor to resume from', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3482)).toBe('3.4 KB');
    expect(formatBytes(12 * 1024 * 1024)).toBe('12.0 MB');
    expect(describeRecordProgress({ frames: 1200, bytes: 6.3 * 1024 * 1024, lastSeq: 1199 }, 500)).toBe(
      '1200 frames, 6.3 MB, 2400 frames/s, last seq 1199',
    );
    expect(describeRecordSummary({ frames: 0, bytes: 0, lastSeq: undefined, ended: 'stopped' }, 'x.log')).toBe(
      'recorded 0 frames (0 B) to x.log: stopped',
    );
    expect(describeRecordSummary({ frames: 2, bytes: 2048, lastSeq: 7, ended: 'limit reached' }, 'x.log')).toBe(
      'recorded 2 frames (2.0 KB) to x.log: limit reached; last seq 7 (resume with --cursor 7)',
    );
  });
});
