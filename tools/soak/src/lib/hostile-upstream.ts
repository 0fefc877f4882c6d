import { WebSocket } from 'ws';
import type { CommitBody } from '@jetstream-ts/models';
import { startFakeRelay } from '@jetstream-ts/fake-relay';
import {
  collidingCidsCommit,
  commitFrame,
  deepMstCommit,
  forgedMstNodeCommit,
  mstSelfCycleCommit,
  mstTwoNodeCycleCommit,
  nestedRecordCommit,
  until,
  type HostileCommitOptions,
} from '@jetstream-ts/testkit';
import { goodFrames, type GoodFrames } from './good-frames.js';
import { metricValue, startServerUnderTest, type ServerUnderTest } from './server-under-test.js';
import { auditStore, type StoreAudit } from './store-check.js';

/** Starts a server, runs `check` while it runs, stops it (SIGTERM) whatever happens. */
async function withServer<T>(options: Parameters<typeof startServerUnderTest>[0], check: (server: ServerUnderTest) => Promise<T>): Promise<T> {
  const server = await startServerUnderTest(options);
  try {
    return await check(server);
  } finally {
    await server.stop();
  }
}

const committed = (server: ServerUnderTest, seq: number) => async () => metricValue((await server.metricsGet('/metrics')).body, 'consumer_last_seq') >= seq;

/**
 * A relay whose sequence is behind the stored cursor answers `FutureCursor`: the server must
 * keep its cursor, retry from it, and say so (an error log line, and /readyz).
 */
export async function futureCursor(dataDir: string): Promise<{ cursorsAsked: (number | undefined)[]; storedCursor: number | undefined; readyz: number; logged: boolean }> {
  const first = goodFrames(30, 11);
  const ahead = await startFakeRelay({ frames: first.frames });
  try {
    await withServer({ relayUrl: ahead.url, dataDir }, (server) => until(committed(server, 30), 'seq 30 committed'));
  } finally {
    await ahead.close();
  }
  const behind = await startFakeRelay({ frames: goodFrames(5, 12).frames });
  try {
    return await withServer({ relayUrl: behind.url, dataDir }, async (server) => {
      await until(() => behind.connections.length >= 2, 'a retry after the backoff', 15_000);
      const readyz = (await server.metricsGet('/readyz')).status;
      const logged = server.logs.some((entry) => String(entry['msg']).startsWith('relay rejects the stored cursor'));
      const audit = await server.stop().then(() => auditStore(dataDir, first.eventsOfSeq));
      return { cursorsAsked: behind.connections.map((connection) => connection.cursor), storedCursor: audit.relayCursor, readyz, logged };
    });
  } finally {
    await behind.close();
  }
}

/**
 * A relay that sends frame 3 cut in half in its place: the server skips it with a record (an
 * error line naming the seq it followed, the drop counter) and stores every other event once.
 */
export async function truncatedFrame(dataDir: string): Promise<{ record: Record<string, unknown> | undefined; dropped: number; audit: StoreAudit }> {
  const log = goodFrames(20, 13);
  const relay = await startFakeRelay({ frames: log.frames, faults: [{ kind: 'truncate', after: 2, connections: 1 }] });
  try {
    const { record, dropped } = await withServer({ relayUrl: relay.url, dataDir }, async (server) => {
      await until(committed(server, 20), 'seq 20 committed');
      const metrics = (await server.metricsGet('/metrics')).body;
      return {
        record: server.logs.find((entry) => String(entry['msg']).startsWith('skipped an undecodable relay frame')),
        dropped: metricValue(metrics, 'jetstream_dropped_input_total{stage="frame",reason="invalid-frame"}'),
      };
    });
    return { record, dropped, audit: await auditStore(dataDir, log.eventsOfSeq, new Set([3])) };
  } finally {
    await relay.close();
  }
}

/**
 * `kills` runs killed with SIGKILL at random moments mid-ingest (paced relay), then one run to
 * the end: the store must hold every event exactly once, in order.
 */
export async function killNine(dataDir: string, options: { kills: number; frames: number; rate: number; seed: number }): Promise<{ kills: number; audit: StoreAudit; complete: boolean }> {
  const log = goodFrames(options.frames, options.seed);
  const relay = await startFakeRelay({ frames: log.frames, rate: options.rate });
  let state = options.seed >>> 0 || 1;
  try {
    let kills = 0;
    for (; kills < options.kills; kills++) {
      const before = relay.connections.length;
      const server = await startServerUnderTest({ relayUrl: relay.url, dataDir });
      await until(() => relay.connections.length > before && (relay.connections.at(-1)?.sent ?? 0) > 0, 'frames flowing');
      state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
      await new Promise((resolve) => setTimeout(resolve, 100 + (state % 700)));
      await server.stop('SIGKILL');
      const audit = await auditStore(dataDir, log.eventsOfSeq);
      if (audit.lost + audit.duplicated + audit.reordered > 0) return { kills: kills + 1, audit, complete: false };
    }
    await withServer({ relayUrl: relay.url, dataDir }, (server) => until(committed(server, options.frames), 'the last frame', 120_000));
    const audit = await auditStore(dataDir, log.eventsOfSeq);
    return { kills, audit, complete: audit.relayCursor === options.frames && audit.events === log.events };
  } finally {
    await relay.close();
  }
}

/**
 * The crafted commits of issue 11 that must cost a server next to nothing (each dropped, or its
 * record read, in well under a second). Not here: a record with a 131,072-key map, legal at 1 MiB
 * and mapped in ~0.3-0.8 s, which is work to do rather than an attack to refuse.
 */
const HOSTILE_COMMITS: readonly (readonly [string, (options: HostileCommitOptions) => CommitBody])[] = [
  ['MST self cycle', (options) => mstSelfCycleCommit(options)],
  ['MST two-node cycle', (options) => mstTwoNodeCycleCommit(options)],
  ['20,000 colliding CIDs', (options) => collidingCidsCommit({ ...options, blocks: 20_000 })],
  ['forged MST node', (options) => forgedMstNodeCommit(options)],
  ['MST 1,000 deep', (options) => deepMstCommit({ ...options, depth: 1000 })],
  ['record nested 100,000 deep', (options) => nestedRecordCommit({ ...options, depth: 100_000 })],
];

/**
 * Each crafted commit between runs of good frames, `rounds` times: the server must keep
 * answering /healthz (the slowest answer is measured) and store every good event once, in
 * order; a subscriber replaying from the start gets all of them.
 */
export async function hostileCommits(dataDir: string, options: { rounds: number; goodPerGap: number; seed: number }): Promise<{ hostile: number; slowestHealthzMs: number; audit: StoreAudit; replayed: number; stored: number }> {
  const frames: Uint8Array[] = [];
  const eventsOfSeq = new Map<number, number>();
  let seq = 1;
  const addGood = (run: GoodFrames) => {
    frames.push(...run.frames);
    run.eventsOfSeq.forEach((events, at) => eventsOfSeq.set(at, events));
    seq += run.frames.length;
  };
  for (let round = 0; round < options.rounds; round++) {
    for (const [, build] of HOSTILE_COMMITS) {
      addGood(goodFrames(options.goodPerGap, options.seed + seq, seq));
      frames.push(commitFrame(build({ seq })));
      seq++;
    }
  }
  addGood(goodFrames(options.goodPerGap, options.seed + seq, seq));
  const lastSeq = seq - 1;
  const relay = await startFakeRelay({ frames, rate: 500 });
  try {
    const { slowestHealthzMs, replayed } = await withServer({ relayUrl: relay.url, dataDir, env: { JETSTREAM_MAX_SUB_RATE: '1000000' } }, async (server) => {
      let slowest = 0;
      let done = false;
      const probing = (async () => {
        while (!done) {
          const started = performance.now();
          await server.metricsGet('/healthz');
          slowest = Math.max(slowest, performance.now() - started);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      try {
        await until(committed(server, lastSeq), `seq ${lastSeq} committed`, 120_000);
      } finally {
        done = true;
        await probing;
      }
      return { slowestHealthzMs: Math.round(slowest), replayed: await replayCount(server) };
    });
    const audit = await auditStore(dataDir, eventsOfSeq);
    return { hostile: HOSTILE_COMMITS.length * options.rounds, slowestHealthzMs, audit, replayed, stored: audit.events };
  } finally {
    await relay.close();
  }
}

/** Events a subscriber gets replaying from the start until nothing more comes for 500 ms. */
async function replayCount(server: ServerUnderTest): Promise<number> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.publicPort}/subscribe?cursor=0`);
  let received = 0;
  let last = Date.now();
  socket.on('message', () => {
    received++;
    last = Date.now();
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  await until(() => Date.now() - last > 500, 'the replay to finish', 60_000);
  socket.close();
  return received;
}
