import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeRelay } from '@jetstream-ts/fake-relay';
import { connectionFlood, forgedForwardedFor, inboundFlood, oversizedRequests, stalledReader } from './hostile-clients.js';
import { futureCursor, hostileCommits, killNine, truncatedFrame } from './hostile-upstream.js';
import { startServerUnderTest, type ServerUnderTest } from './server-under-test.js';

/** How big a run is: `npm test`'s bounded one, or the soak's. */
export interface SoakScale {
  forgedCycles: number;
  /** Times each crafted commit is sent. */
  hostileRounds: number;
  kills: number;
  killFrames: number;
  seed: number;
}

export const TEST_SCALE: SoakScale = { forgedCycles: 200, hostileRounds: 1, kills: 0, killFrames: 0, seed: 20_261_203 };
export const SOAK_SCALE: SoakScale = { forgedCycles: 2000, hostileRounds: 5, kills: 20, killFrames: 6000, seed: 20_261_203 };

/** Series that may appear once in a server's first subscriber connections, however many come and go. */
const BOUNDED_SERIES_GROWTH = 20;

/** One case's outcome: passed or not, and what was measured, in a line. */
export interface CaseResult {
  name: string;
  passed: boolean;
  detail: string;
}

type Check = (scale: SoakScale, dataDir: string) => Promise<{ passed: boolean; detail: string }>;

/** A case: what it does, its check, and whether only the soak runs it (it takes minutes). */
export interface SoakCase {
  name: string;
  check: Check;
  soakOnly?: boolean;
}

/** The hostile-client cases share one server: at most 50 connections per address, 127.0.0.1 trusted as a proxy (the worst case for labels). */
async function withClientServer<T>(dataDir: string, run: (server: ServerUnderTest) => Promise<T>): Promise<T> {
  const relay = await startFakeRelay({ frames: [] });
  const server = await startServerUnderTest({
    relayUrl: relay.url,
    dataDir,
    args: ['--trusted-proxies=127.0.0.1'],
    env: { JETSTREAM_MAX_CONNECTIONS_PER_IP: '50' },
  });
  try {
    return await run(server);
  } finally {
    await server.stop();
    await relay.close();
  }
}

const clientCase =
  (run: (server: ServerUnderTest, scale: SoakScale) => Promise<{ passed: boolean; detail: string }>): Check =>
  (scale, dataDir) =>
    withClientServer(dataDir, (server) => run(server, scale));

/** Every case, in the order they run. */
export const SOAK_CASES: readonly SoakCase[] = [
  {
    name: 'per-address limit: 80 sockets from one address, limit 50',
    check: clientCase(async (server) => {
      const { served, refused } = await connectionFlood(server, 80);
      const expected = { '429 too many connections from 127.0.0.1: at most 50 per address': 30 };
      return { passed: served === 50 && JSON.stringify(refused) === JSON.stringify(expected), detail: `${served} served, refused ${JSON.stringify(refused)}` };
    }),
  },
  {
    name: 'forged X-Forwarded-For connect/close cycles keep /metrics bounded',
    check: clientCase(async (server, scale) => {
      const { before, peak, after, addressSeriesAfter } = await forgedForwardedFor(server, scale.forgedCycles, scale.seed);
      // A few series appear once, whatever the number of cycles (the lag histogram's buckets, close reasons).
      return {
        passed: addressSeriesAfter === 0 && peak <= before + BOUNDED_SERIES_GROWTH,
        detail: `${scale.forgedCycles} cycles: ${before} series before, ${peak} at most, ${after} after, ${addressSeriesAfter} with an ip_address label`,
      };
    }),
  },
  {
    name: 'inbound floods: a 9.9 MB message, then options_update as fast as possible',
    check: clientCase(async (server) => {
      const { oversized, flood } = await inboundFlood(server, 9_900_000);
      const healthy = (await server.metricsGet('/healthz')).status;
      return {
        passed: oversized.code === 1009 && flood.code === 1008 && flood.reason === 'too many messages: more than 10 per second' && healthy === 200,
        detail: `oversized closed ${oversized.code}; flood closed ${flood.code} "${flood.reason}"; /healthz ${healthy}`,
      };
    }),
  },
  {
    name: 'a 1.2 MB URL and a 2 MB header',
    check: clientCase(async (server) => {
      const { url, header } = await oversizedRequests(server);
      const tooLarge = 'HTTP/1.1 431 Request Header Fields Too Large';
      return { passed: url === tooLarge && header === tooLarge, detail: `URL: ${url}; header: ${header}` };
    }),
  },
  {
    name: 'a stalled reader (pings unanswered) gets a close frame with the reason',
    soakOnly: true,
    check: clientCase(async (server) => {
      const close = await stalledReader(server, 100_000);
      return { passed: close.code === 1008 && close.reason === 'connection stalled: no pong to 2 pings', detail: `closed ${close.code} "${close.reason}"` };
    }),
  },
  {
    name: 'FutureCursor from a relay behind the stored cursor',
    check: async (_scale, dataDir) => {
      const result = await futureCursor(dataDir);
      const kept = result.cursorsAsked.slice(0, 2).every((cursor) => cursor === 30) && result.storedCursor === 30;
      return {
        passed: kept && result.logged,
        detail: `cursors asked ${JSON.stringify(result.cursorsAsked)}, stored cursor ${result.storedCursor}, error logged ${result.logged}, /readyz ${result.readyz}`,
      };
    },
  },
  {
    name: 'a truncated frame between good frames',
    check: async (_scale, dataDir) => {
      const { record, dropped, audit } = await truncatedFrame(dataDir);
      const recorded = record?.['afterSeq'] === 2 && dropped === 1;
      return {
        passed: recorded && audit.lost + audit.duplicated + audit.reordered === 0 && audit.relayCursor === 20,
        detail: `record ${JSON.stringify(record && { afterSeq: record['afterSeq'], bytes: record['bytes'], reason: record['reason'] })}, counted ${dropped}; store: ${describeAudit(audit)}`,
      };
    },
  },
  {
    name: 'crafted commits (MST cycles, 20,000 colliding CIDs, forged and 1,000-deep MST, deep nesting) between good frames',
    check: async (scale, dataDir) => {
      const result = await hostileCommits(dataDir, { rounds: scale.hostileRounds, goodPerGap: 10, seed: scale.seed });
      const { audit } = result;
      return {
        passed: audit.lost + audit.duplicated + audit.reordered === 0 && result.slowestHealthzMs < 1000 && result.replayed === result.stored,
        detail: `${result.hostile} crafted commits; slowest /healthz ${result.slowestHealthzMs} ms; store: ${describeAudit(audit)}; a replay from 0 got ${result.replayed} of ${result.stored}`,
      };
    },
  },
  {
    name: 'kill -9 mid-ingest, then a run to the end',
    // npm test proves this in apps/jetstream-server's server-process.crash.spec.ts (6 kills).
    soakOnly: true,
    check: async (scale, dataDir) => {
      const result = await killNine(dataDir, { kills: scale.kills, frames: scale.killFrames, rate: Math.round(scale.killFrames / (scale.kills + 2)), seed: scale.seed });
      return { passed: result.complete, detail: `${result.kills} kills, ${scale.killFrames} frames: ${describeAudit(result.audit)}` };
    },
  },
];

function describeAudit(audit: { events: number; lost: number; duplicated: number; reordered: number; relayCursor: number | undefined }): string {
  return `${audit.events} events to cursor ${audit.relayCursor}, ${audit.lost} lost, ${audit.duplicated} duplicated, ${audit.reordered} reordered`;
}

/** Runs one case in a fresh data directory (removed after), turning a throw into a failed result. */
export async function runCase(soakCase: SoakCase, scale: SoakScale): Promise<CaseResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'jetstream-soak-'));
  try {
    return { name: soakCase.name, ...(await soakCase.check(scale, dataDir)) };
  } catch (error) {
    return { name: soakCase.name, passed: false, detail: `error: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
