import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Subscription } from 'rxjs';
import { jetstream } from '@jetstream-ts/client';
import { startFakeRelay, type FakeRelay } from '@jetstream-ts/fake-relay';
import { decodeFrame, parseFrameLog } from '@jetstream-ts/frames';
import { frameToEvents } from '@jetstream-ts/mapping';
import { synthesizeFrames } from '@jetstream-ts/synthetic-firehose';
import { startServerProcess, type ServerProcess } from '../lib/server-process.test-util.js';
import { startE2eServer, subscribe, timeUsOf, until, type E2eServer } from './e2e-server.test-util.js';

/** The compiled `jetstream` command (apps/jetstream-cli, built by `tsc -b` like the server). */
const CLI = fileURLToPath(new URL('../../../jetstream-cli/bin/jetstream.js', import.meta.url));

/** A `jetstream` child process: its stdout lines so far, its stderr, and its exit. */
function runJetstream(args: string[]): { child: ChildProcess; lines: string[]; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, stderr: () => stderr, exited };
}

describe('end to end: @jetstream-ts/client and the jetstream command against the server', () => {
  const processes: ChildProcess[] = [];
  const subscriptions: Subscription[] = [];
  let relay: FakeRelay | undefined;
  let server: E2eServer | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
    for (const child of processes.splice(0)) child.kill('SIGKILL');
    await server?.close();
    await relay?.close();
    server = relay = undefined;
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('subscribe --collection prints exactly the v1 lines of that filter; the client gets the same with zstd and a DID filter, in the URL or in a hello among 10,000 DIDs', async () => {
    const frames = [...synthesizeFrames({ frames: 600, seed: 'client-filter', dids: 40, firstSeq: 1 })];
    relay = await startFakeRelay({ frames });
    server = await startE2eServer(relay.url);
    await until(() => server!.log.relayCursor() === 600, 'the server to ingest the 600 frames', 40_000);
    const stored = server.log.readFrom(0, Number.MAX_SAFE_INTEGER);
    const text = (json: Uint8Array) => Buffer.from(json).toString('utf8');
    // v1's filter: commits of the collection, and every identity and account event (reference §5.5).
    const posts = stored.filter((event) => event.collection === '' || event.collection === 'app.bsky.feed.post').map((event) => text(event.json));
    expect(posts.length).toBeGreaterThan(50);

    const cli = runJetstream(['subscribe', `${server.baseUrl}/subscribe`, '--cursor', '1', '--collection', 'app.bsky.feed.post', '--limit', String(posts.length)]);
    processes.push(cli.child);
    expect(await cli.exited).toBe(0);
    expect(cli.lines).toEqual(posts);

    const did = stored[0]!.did;
    const ofDid = stored.filter((event) => event.did === did).map((event) => text(event.json));
    const received: string[] = [];
    const subscription = jetstream({ url: server.baseUrl, cursor: 1, compress: true, wantedDids: [did] }).messages.subscribe(({ json }) => received.push(json));
    subscriptions.push(subscription);

    // The same filter in the hello (an options_update the server must accept), among 10,000 DIDs.
    const manyDids = [did, ...Array.from({ length: 9_999 }, (_, i) => `did:plc:${String(i).padStart(24, '0')}`)];
    const greeted: string[] = [];
    const helloSubscription = jetstream({ url: server.baseUrl, cursor: 1, requireHello: true, wantedDids: manyDids }).messages.subscribe(({ json }) =>
      greeted.push(json),
    );
    subscriptions.push(helloSubscription);
    await until(() => received.length === ofDid.length && greeted.length === ofDid.length, `the ${ofDid.length} events of ${did}, twice`, 40_000);
    expect(received).toEqual(ofDid);
    expect(greeted).toEqual(ofDid);
  }, 60_000);

  it('two kill -9 restarts of the server during subscribe --cursor 1 [--compress] --limit N: nothing lost or repeated, exit 0', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'jetstream-e2e-client-kill-'));
    const frames = [...synthesizeFrames({ frames: 1200, seed: 'client-kill', dids: 60, firstSeq: 1 })];
    // Three batches, each fed to the relay only once the previous server process was killed and
    // its successor started: reaching N needs events of the third batch, so every subscriber must
    // have lived through both restarts. N: the events of the first two batches (by the server's
    // own mapping) plus 20 of the third.
    const batches = [frames.slice(0, 400), frames.slice(400, 800), frames.slice(800)];
    const events = (batch: Uint8Array[]) => batch.reduce((count, frame) => count + frameToEvents(decodeFrame(frame)).length, 0);
    const [first, second] = [events(batches[0]!), events(batches[1]!)];
    const N = first + second + 20;
    // Each kill comes once every subscriber has events of the current server's own batch.
    const killAfter = [200, first + 200];

    relay = await startFakeRelay({ frames: [] });
    const serverArgs = [`--ws-url=${relay.url}`, `--data-dir=${join(dataDir, 'server')}`];
    let serverProcess: ServerProcess = startServerProcess(serverArgs);
    processes.push(serverProcess.child);
    const { publicPort } = await serverProcess.started;
    const url = `ws://127.0.0.1:${publicPort}/subscribe`;

    const plain = runJetstream(['subscribe', url, '--cursor', '1', '--limit', String(N)]);
    const compressed = runJetstream(['subscribe', url, '--cursor', '1', '--compress', '--limit', String(N)]);
    processes.push(plain.child, compressed.child);
    const library: string[] = [];
    let libraryConnected = false;
    const subscription = jetstream({ url, cursor: 1, compress: true, onStatus: (status) => (libraryConnected ||= status.type === 'connected') }).messages.subscribe(
      ({ json }) => library.push(json),
    );
    subscriptions.push(subscription);
    await until(() => libraryConnected && [plain, compressed].every((cli) => cli.stderr().startsWith('connected to')), 'the subscribers to connect', 60_000);

    for (const [index, batch] of batches.entries()) {
      relay.append(batch);
      if (index === batches.length - 1) break;
      const printed = killAfter[index]!;
      await until(() => [plain.lines, compressed.lines, library].every((lines) => lines.length >= printed), `${printed} events in each subscriber`, 60_000);
      serverProcess.child.kill('SIGKILL');
      expect((await serverProcess.exited).signal).toBe('SIGKILL');
      serverProcess = startServerProcess([...serverArgs, `--listen-addr=127.0.0.1:${publicPort}`]);
      processes.push(serverProcess.child);
      await serverProcess.started;
    }
    expect(await plain.exited).toBe(0);
    expect(await compressed.exited).toBe(0);
    await until(() => library.length >= N, `${N} events in the library client`, 60_000);
    subscription.unsubscribe();

    // What the server stores, replayed by a plain ws client: the sequence every reader must have printed.
    const replay = subscribe(`${url}?cursor=1`);
    await replay.received(N, 40_000);
    const expected = replay.texts().slice(0, N);
    replay.close();
    const times = expected.map(timeUsOf);
    expect(times.every((time, i) => i === 0 || time > times[i - 1]!)).toBe(true);
    expect(plain.lines).toEqual(expected);
    expect(compressed.lines).toEqual(expected);
    expect(library.slice(0, N)).toEqual(expected);
    for (const cli of [plain, compressed]) {
      expect(cli.stderr().match(/^reconnected \(cursor \d+\)$/gm)).toHaveLength(2);
      expect(cli.stderr()).toMatch(new RegExp(`\n${N} events \\(limit reached\\)\n$`));
    }
  }, 120_000);

  it('stats shows a local server live and stops on Ctrl-C; record captures the harness relay for convert', async () => {
    const frames = [...synthesizeFrames({ frames: 300, seed: 'client-stats', dids: 20, firstSeq: 1 })];
    relay = await startFakeRelay({ frames });
    server = await startE2eServer(relay.url);
    const stats = runJetstream(['stats', server.baseUrl, '--cursor', '1', '--interval', '200ms']);
    processes.push(stats.child);
    await until(() => stats.lines.some((line) => /total [1-9]\d* events/.test(line)), 'a stats line with events', 40_000);
    stats.child.kill('SIGINT');
    expect(await stats.exited).toBe(0);
    expect(stats.lines.at(-1)).toMatch(/^events\/s [\d.]+ \| bytes\/s .+ \| lag .+ \| reconnects 0 \| total \d+ events, .+ \| app\.bsky\.feed\.like [\d.]+/);

    dataDir = mkdtempSync(join(tmpdir(), 'jetstream-e2e-record-'));
    const log = join(dataDir, 'capture.log');
    const record = runJetstream(['record', relay.url, '-o', log, '--cursor', '0', '--limit', '300']);
    processes.push(record.child);
    expect(await record.exited).toBe(0);
    expect(record.stderr()).toMatch(/limit reached; last seq 300 \(resume with --cursor 300\)\n$/);
    expect(parseFrameLog(readFileSync(log))).toEqual({ frames, trailingBytes: 0 });
  }, 60_000);
});
