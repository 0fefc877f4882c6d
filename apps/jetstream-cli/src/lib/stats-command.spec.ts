import { PassThrough } from 'node:stream';
import { eventJson, startFakeJetstream } from './fake-jetstream.test-util.js';
import { runCli } from './run-cli.test-util.js';

describe('jetstream stats', () => {
  it('prints a line per interval with rates by collection and the reconnects, until Ctrl-C', async () => {
    const server = await startFakeJetstream((socket, _query, index) => {
      if (index === 0) return socket.send(eventJson(1, 'app.bsky.feed.post'), () => socket.terminate());
      [2, 3, 4].forEach((timeUs) => socket.send(eventJson(timeUs)));
    });
    try {
      const stop = new AbortController();
      const stdout = new PassThrough();
      let printed = '';
      stdout.on('data', (chunk: Buffer) => {
        printed += chunk.toString();
        if (/total 4 events/.test(printed)) stop.abort();
      });
      const run = await runCli(['stats', server.url, '--cursor', '1', '--interval', '50ms'], stdout, stop.signal);
      expect(run.code).toBe(0);
      const line = printed.split('\n').find((entry) => entry.includes('total 4 events'));
      expect(line).toMatch(/^events\/s [\d.]+ \| bytes\/s [\d.]+ (B|KB) \| lag .+ \| reconnects 1 \| total 4 events, [\d.]+ KB/);
      expect(printed).toMatch(/app\.bsky\.feed\.post [\d.]+/);
      expect(run.stderr).toMatch(/^connected to .*\ndisconnected .*\nreconnected \(cursor 1\)\n$/);
    } finally {
      await server.close();
    }
  });

  it('fails clearly when the server cannot be reached', async () => {
    expect(await runCli(['stats', 'ws://127.0.0.1:1'])).toMatchObject({ code: 1, stderr: 'error: cannot connect to ws://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1\n' });
  });
});
