import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLmdbEventStore } from '@jetstream-ts/cursor-buffer';
import { startFakeRelay, type FakeRelay } from '@jetstream-ts/fake-relay';
import { accountFrame, buildCommit, commitFrame, identityFrame, syncFrame, type RecordWrite } from '@jetstream-ts/testkit';
import { readMetric, startServerProcess, until, type ServerProcess } from './server-process.test-util.js';

const TIME = '2026-07-01T12:00:00.000Z';
const FRAMES = 3000;
const KILLS = 6;

/**
 * A relay log of commits (one to three ops, creates, updates and deletes), identities, accounts
 * and #sync frames, seq 1..FRAMES; and the events v1 makes of it, in order, written from the
 * frame definitions (commit: one per op; identity and account: one; sync: none).
 */
function relayLog(): { frames: Uint8Array[]; expected: string[] } {
  const frames: Uint8Array[] = [];
  const expected: string[] = [];
  const repos = new Map<string, Awaited<ReturnType<typeof buildCommit>>['contents']>();
  for (let seq = 1; seq <= FRAMES; seq++) {
    const did = `did:plc:crash${seq % 17}`;
    const kind = seq % 10;
    if (kind === 7) {
      frames.push(identityFrame({ seq, did, time: TIME, handle: `u${seq}.test` }));
      expected.push(`identity ${did} ${seq}`);
    } else if (kind === 8) {
      frames.push(accountFrame({ seq, did, time: TIME, active: true }));
      expected.push(`account ${did} ${seq}`);
    } else if (kind === 9) {
      frames.push(syncFrame({ seq, did, blocks: new Uint8Array(), rev: `r${seq}`, time: TIME }));
    } else {
      const contents = repos.get(did) ?? new Map();
      const existing = [...contents.keys()];
      const writes: RecordWrite[] = [];
      for (let op = 0; op <= seq % 3; op++) {
        const rkey = `k${seq}x${op}`;
        writes.push({ action: 'create', collection: 'app.bsky.feed.like', rkey, record: { $type: 'app.bsky.feed.like', createdAt: TIME, n: seq } });
      }
      // Now and then also delete an earlier record of the repo.
      const victim = existing[seq % 5 === 0 ? existing.length - 1 : -1];
      if (victim !== undefined) writes.push({ action: 'delete', path: victim });
      const commit = buildCommit({ did, rev: `r${String(seq).padStart(8, '0')}`, seq, time: TIME, writes, contents });
      repos.set(did, commit.contents);
      frames.push(commitFrame(commit.body));
      for (const write of writes) {
        const path = 'path' in write ? write.path : `${write.collection}/${write.rkey}`;
        expected.push(`commit ${did} ${write.action} ${path}`);
      }
    }
  }
  return { frames, expected };
}

/** What the store holds, read with the server stopped: events as the strings `relayLog` expects. */
async function readStore(dataDir: string) {
  const store = openLmdbEventStore({ path: join(dataDir, 'events') });
  try {
    const events = store.readFrom(0, Number.MAX_SAFE_INTEGER);
    const described = events.map((event) => {
      const json = JSON.parse(new TextDecoder().decode(event.json)) as {
        did: string;
        kind: string;
        commit?: { operation: string; collection: string; rkey: string };
        identity?: { seq: number };
        account?: { seq: number };
      };
      if (json.commit) return `commit ${json.did} ${json.commit.operation} ${json.commit.collection}/${json.commit.rkey}`;
      return `${json.kind} ${json.did} ${(json.identity ?? json.account)!.seq}`;
    });
    return { described, times: events.map((event) => event.time_us), relayCursor: store.relayCursor() };
  } finally {
    await store.close();
  }
}

describe('jetstream-server process, killed with SIGKILL while ingesting', () => {
  let dataDir: string;
  let relay: FakeRelay | undefined;
  let server: ServerProcess | undefined;

  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'jetstream-server-crash-'))));
  afterEach(async () => {
    server?.child.kill('SIGKILL');
    await relay?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores every relay event exactly once, in relay order, with strictly increasing time_us', async () => {
    const { frames, expected } = relayLog();
    // Paced so that each run is killed mid-stream, during or between batch commits.
    relay = await startFakeRelay({ frames, rate: 300 });
    const args = [`--ws-url=${relay.url}`, `--data-dir=${dataDir}`];
    const cursorsAfterKills: number[] = [];

    for (let kill = 0; kill < KILLS; kill++) {
      const connectionsBefore = relay.connections.length;
      server = startServerProcess(args);
      await server.started;
      await until(() => relay!.connections.length > connectionsBefore && (relay!.connections.at(-1)?.sent ?? 0) > 0, 'the relay to send frames');
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 600));
      server.child.kill('SIGKILL');
      expect((await server.exited).signal).toBe('SIGKILL');
      const { described, relayCursor } = await readStore(dataDir);
      cursorsAfterKills.push(relayCursor ?? 0);
      // What survived is exactly a prefix of the relay's events.
      expect(described).toEqual(expected.slice(0, described.length));
    }
    // Each run made progress and was killed before the end of the log.
    expect(cursorsAfterKills.every((cursor, i) => cursor > (cursorsAfterKills[i - 1] ?? 0) && cursor < FRAMES)).toBe(true);

    // A last run to the end, stopped gracefully.
    server = startServerProcess(args);
    const { metricsPort } = await server.started;
    await until(async () => (await readMetric(metricsPort, 'consumer_last_seq')) === FRAMES, 'the last frame', 60_000);
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });

    const { described, times, relayCursor } = await readStore(dataDir);
    expect(relayCursor).toBe(FRAMES);
    expect(described).toEqual(expected);
    expect(times.every((time, i) => i === 0 || time > times[i - 1]!)).toBe(true);
    // Each reconnect resumed exactly after the committed cursor.
    expect(relay.connections.map((connection) => connection.cursor)).toEqual([undefined, ...cursorsAfterKills]);
  }, 120_000);
});
