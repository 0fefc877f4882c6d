import { request } from 'node:http';
import { decodeFrame } from '@jetstream-ts/frames';
import { frameSeq } from '@jetstream-ts/models';
import { startFakeRelay, type FakeRelay, type FakeRelayOptions } from './fake-relay.js';
import { collectFrames, identityFrame } from './relay-client.test-util.js';

const frames = [1, 2, 3, 5, 8, 13].map((seq) => identityFrame(seq));
const seqs = (collected: Uint8Array[]) => collected.map((bytes) => frameSeq(decodeFrame(bytes)));

describe('startFakeRelay', () => {
  let relay: FakeRelay | undefined;
  const start = async (options: Partial<FakeRelayOptions> = {}) => {
    relay = await startFakeRelay({ frames, ...options });
    return relay;
  };
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
  });

  it('listens on loopback and names its subscribeRepos URL', async () => {
    const { url } = await start();
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/xrpc\/com\.atproto\.sync\.subscribeRepos$/);
  });

  it('sends a live connection (no cursor) the whole log, byte for byte', async () => {
    const { url } = await start();
    const { frames: received } = await collectFrames(url, { count: frames.length });
    expect(received).toEqual(frames);
  });

  it('sends the frames with seq greater than the cursor', async () => {
    const { url } = await start();
    expect(seqs((await collectFrames(`${url}?cursor=0`, { count: 6 })).frames)).toEqual([1, 2, 3, 5, 8, 13]);
    expect(seqs((await collectFrames(`${url}?cursor=3`, { count: 3 })).frames)).toEqual([5, 8, 13]);
    expect(seqs((await collectFrames(`${url}?cursor=4`, { count: 3 })).frames)).toEqual([5, 8, 13]);
  });

  it('keeps a caught-up connection open and sends appended frames', async () => {
    const live = await start();
    const collecting = collectFrames(`${live.url}?cursor=13`, { count: 2 });
    await waitFor(() => live.connections.length === 1);
    live.append([identityFrame(21), identityFrame(34)]);
    const collected = await collecting;
    expect(seqs(collected.frames)).toEqual([21, 34]);
    expect(live.connections[0]).toMatchObject({ cursor: 13, sent: 2, lastSeq: 34 });
  });

  it('answers a cursor beyond the newest seq with a FutureCursor error frame and a close', async () => {
    const { url } = await start();
    const collected = await collectFrames(`${url}?cursor=14`);
    expect(collected.frames.map((bytes) => decodeFrame(bytes))).toEqual([
      expect.objectContaining({ type: 'error', error: 'FutureCursor' }),
    ]);
    expect(collected.closeCode).toBe(1000);
  });

  it('rejects a malformed cursor with 400 and another path with 404', async () => {
    const { port } = await start();
    expect(await upgradeStatus(port, '/xrpc/com.atproto.sync.subscribeRepos?cursor=abc')).toBe(400);
    expect(await upgradeStatus(port, '/xrpc/com.atproto.sync.subscribeRepos?cursor=-1')).toBe(400);
    expect(await upgradeStatus(port, '/subscribe')).toBe(404);
  });

  it('plays the log again with rewritten seqs when looping', async () => {
    const { url } = await start({ loop: 2 });
    const collected = await collectFrames(`${url}?cursor=8`, { count: 7 });
    expect(seqs(collected.frames)).toEqual([13, 14, 15, 16, 18, 21, 26]);
  });

  it('paces frames at the requested rate', async () => {
    const paced = await start({ rate: 1 });
    const collected = await collectFrames(paced.url, { waitMs: 300 });
    // At one frame per second, only the first frame is due within 300 ms.
    expect(seqs(collected.frames)).toEqual([1]);
  });

  describe('faults', () => {
    it('stalls: stops sending and keeps the connection open', async () => {
      const stalled = await start({ faults: [{ kind: 'stall', after: 2 }] });
      const collected = await collectFrames(stalled.url, { waitMs: 300 });
      expect(seqs(collected.frames)).toEqual([1, 2]);
      expect(collected.timedOut).toBe(true);
    });

    it('disconnects without a close frame', async () => {
      const { url } = await start({ faults: [{ kind: 'disconnect', after: 3 }] });
      const collected = await collectFrames(url);
      expect(seqs(collected.frames)).toEqual([1, 2, 3]);
      expect(collected.closeCode).toBe(1006);
    });

    it('sends an error frame and closes', async () => {
      const { url } = await start({
        faults: [{ kind: 'error', after: 1, error: 'ConsumerTooSlow', message: 'too slow' }],
      });
      const collected = await collectFrames(url);
      expect(collected.frames.map((bytes) => decodeFrame(bytes))).toEqual([
        expect.objectContaining({ type: 'identity' }),
        expect.objectContaining({ type: 'error', error: 'ConsumerTooSlow', message: 'too slow' }),
      ]);
      expect(collected.closeCode).toBe(1000);
    });

    it('inserts a corrupt frame and goes on', async () => {
      const { url } = await start({ faults: [{ kind: 'corrupt', after: 2 }] });
      const collected = await collectFrames(url, { count: 7 });
      const decoded = collected.frames.map((bytes) => decodeFrame(bytes));
      expect(decoded.map((frame) => frame.type)).toEqual([
        'identity',
        'identity',
        'invalid',
        'identity',
        'identity',
        'identity',
        'identity',
      ]);
      expect(decoded.map(frameSeq)).toEqual([1, 2, undefined, 3, 5, 8, 13]);
    });

    it('cuts the next frame short in place of the whole one and goes on', async () => {
      const { url } = await start({ faults: [{ kind: 'truncate', after: 1 }] });
      const collected = await collectFrames(url, { count: 6 });
      expect(collected.frames[1]).toEqual(frames[1].subarray(0, collected.frames[1].length));
      expect(collected.frames[1].length).toBeLessThan(frames[1].length);
      expect(decodeFrame(collected.frames[1]).type).toBe('invalid');
      expect(seqs(collected.frames.filter((_, index) => index !== 1))).toEqual([1, 3, 5, 8, 13]);
    });

    it('faults only the first connections when asked, so the next one recovers', async () => {
      const flaky = await start({ faults: [{ kind: 'disconnect', after: 2, connections: 1 }] });
      const first = await collectFrames(flaky.url);
      const second = await collectFrames(`${flaky.url}?cursor=${seqs(first.frames).at(-1)}`, { count: 4 });
      expect(seqs(first.frames)).toEqual([1, 2]);
      expect(seqs(second.frames)).toEqual([3, 5, 8, 13]);
      expect(flaky.connections.map(({ id, cursor }) => ({ id, cursor }))).toEqual([
        { id: 1, cursor: undefined },
        { id: 2, cursor: 2 },
      ]);
    });

    it('rejects invalid fault options', async () => {
      await expect(startFakeRelay({ frames, faults: [{ kind: 'stall', after: -1 }] })).rejects.toThrow(
        RangeError,
      );
      await expect(startFakeRelay({ frames, rate: 0 })).rejects.toThrow(RangeError);
    });
  });
});

function upgradeStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const upgrade = request({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    });
    upgrade.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    upgrade.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve(101);
    });
    upgrade.on('error', reject);
    upgrade.end();
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
