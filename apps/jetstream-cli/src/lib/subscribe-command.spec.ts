import { PassThrough } from 'node:stream';
import { eventJson, startFakeJetstream } from './fake-jetstream.test-util.js';
import { runCli } from './run-cli.test-util.js';

describe('jetstream subscribe', () => {
  let server: Awaited<ReturnType<typeof startFakeJetstream>> | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('prints the v1 JSON exactly as received, one per line, and exits 0 after --limit', async () => {
    server = await startFakeJetstream((socket) => [1, 2, 3, 4].forEach((timeUs) => socket.send(eventJson(timeUs, 'app.bsky.feed.post'))));
    const run = await runCli(['subscribe', server.url, '--cursor', '1', '--collection', 'app.bsky.feed.post', '--did', 'did:plc:a', '--limit', '3']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${eventJson(1, 'app.bsky.feed.post')}\n${eventJson(2, 'app.bsky.feed.post')}\n${eventJson(3, 'app.bsky.feed.post')}\n`);
    expect(server.requests).toEqual(['/subscribe?wantedCollections=app.bsky.feed.post&wantedDids=did%3Aplc%3Aa&cursor=1']);
    expect(run.stderr).toBe(`connected to ${server.url}/subscribe?wantedCollections=app.bsky.feed.post&wantedDids=did%3Aplc%3Aa&cursor=1\n3 events (limit reached)\n`);
  });

  it('reconnects from the last time_us printed, and prints the repeated event once', async () => {
    server = await startFakeJetstream((socket, query, index) => {
      if (index === 0) {
        socket.send(eventJson(10));
        socket.send(eventJson(11), () => socket.terminate());
      } else {
        expect(query.get('cursor')).toBe('11');
        [11, 12].forEach((timeUs) => socket.send(eventJson(timeUs)));
      }
    });
    const run = await runCli(['subscribe', server.url, '--limit', '3']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe([10, 11, 12].map((timeUs) => `${eventJson(timeUs)}\n`).join(''));
    expect(run.stderr).toMatch(/^connected to .*\ndisconnected \(code 1006\); reconnecting in \d+ ms\nreconnected \(cursor 11\)\n3 events \(limit reached\)\n$/);
  });

  it('--format pretty prints one readable line per event', async () => {
    server = await startFakeJetstream((socket) => socket.send(eventJson(1_782_907_200_000_001, 'app.bsky.feed.post')));
    const run = await runCli(['subscribe', server.url, '--format', 'pretty', '--limit', '1']);
    expect(run.stdout).toBe('2026-07-01T12:00:00.000001Z commit create app.bsky.feed.post/k1782907200000001 did:plc:a "hello & welcome second line"\n');
  });

  it('--since asks for a cursor that far back by the local clock', async () => {
    server = await startFakeJetstream((socket) => socket.send(eventJson(1)));
    const before = Date.now();
    await runCli(['subscribe', server.url, '--since', '5m', '--limit', '1']);
    const cursor = Number(new URL(server.requests[0]!, 'ws://h').searchParams.get('cursor'));
    expect(cursor).toBeGreaterThanOrEqual((before - 300_000) * 1000);
    expect(cursor).toBeLessThanOrEqual((Date.now() - 300_000) * 1000);
  });

  it('stops cleanly on Ctrl-C, exit 0', async () => {
    server = await startFakeJetstream((socket) => socket.send(eventJson(1)));
    const stop = new AbortController();
    const stdout = new PassThrough();
    stdout.once('data', () => stop.abort());
    const run = await runCli(['subscribe', server.url], stdout, stop.signal);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/\n1 events \(stopped\)\n$/);
  });

  it('fails clearly: bad URL, unreachable host, a filter the server refuses, a bad option', async () => {
    const badUrl = await runCli(['subscribe', 'jetstream.example']);
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).toContain("error: command-argument value 'jetstream.example' is invalid for argument 'url'. not a URL: jetstream.example");
    const unreachable = await runCli(['subscribe', 'ws://127.0.0.1:1']);
    expect(unreachable).toMatchObject({ code: 1, stderr: 'error: cannot connect to ws://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1\n' });
    server = await startFakeJetstream(
      () => undefined,
      (query) => (query.has('wantedCollections') ? `invalid subscriber options: invalid collection: ${query.get('wantedCollections')}` : undefined),
    );
    const refused = await runCli(['subscribe', server.url, '--collection', 'app.bsky.*post']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `error: ${server.url}/subscribe refused the subscription: HTTP 400: invalid subscriber options: invalid collection: app.bsky.*post\n`,
    );
    const both = await runCli(['subscribe', server.url, '--cursor', '1', '--since', '5m']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain("error: option '--cursor <time_us>' cannot be used with option '--since <duration>'");
    const format = await runCli(['subscribe', server.url, '--format', 'xml']);
    expect(format.stderr).toContain("error: option '--format <format>' argument 'xml' is invalid. Allowed choices are jsonl, pretty.");
  });
});
