import { join } from 'node:path';
import { startJetstreamServer, type BenchResources } from '../fanout/bench-processes.js';
import type { LoadGeneratorGroup } from '../fanout/load-generator-group.js';
import type { ReplayReport } from '../fanout/load-generator-protocol.js';
import { ProcessSampler, type ProcessUsage } from '../fanout/process-sampler.js';

export interface ReplayOptions {
  /** A server data dir holding a filled store (see `fillStorage`). */
  dataDir: string;
  /** The events in it: the replay reads them all. */
  events: number;
  /** A relay for the server to connect to (it stays idle). */
  relayUrl: string;
  /** Where the server's log goes. */
  logDir: string;
  loadGenerator: LoadGeneratorGroup;
  timeoutMs: number;
  /** Node flags for the server, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
}

export interface ReplayRun extends ReplayReport {
  /** `json` (the server decompresses each stored event) or `zstd` (stored bytes sent as they are). */
  encoding: 'json' | 'zstd';
  eventsPerSecond: number;
  server: ProcessUsage;
}

/**
 * One subscriber reads every stored event from `cursor=0` through the real server's
 * `/subscribe`, as JSON and then compressed, each on a fresh connection; the subscriber is in
 * the load generator's process and only counts messages (and checks `time_us` order for JSON).
 */
export async function runReplay(resources: BenchResources, options: ReplayOptions): Promise<ReplayRun[]> {
  const server = await startJetstreamServer(resources, {
    relayUrl: options.relayUrl,
    dataDir: options.dataDir,
    logPath: join(options.logDir, 'replay-server.log'),
    nodeFlags: options.nodeFlags,
  });
  const sampler = new ProcessSampler(server.pid);
  try {
    const runs: ReplayRun[] = [];
    for (const encoding of ['json', 'zstd'] as const) {
      sampler.reset();
      const url = `${server.subscribeUrl}?cursor=0${encoding === 'zstd' ? '&compress=true' : ''}`;
      const report = await options.loadGenerator.replay(url, options.events, options.timeoutMs);
      runs.push({
        ...report,
        encoding,
        eventsPerSecond: (report.events * 1000) / report.elapsedMs,
        server: sampler.usage(),
      });
    }
    return runs;
  } finally {
    sampler.stop();
    await resources.stop(server.child);
  }
}
