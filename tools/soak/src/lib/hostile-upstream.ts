import { startFakeRelay } from '@jetstream-ts/fake-relay';
import { until } from '@jetstream-ts/testkit';
import { goodFrames } from './good-frames.js';
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
