import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startJetstreamServer, type BenchResources, type ServerProcess } from '../fanout/bench-processes.js';
import { behindReasons } from '../fanout/fanout-step.js';
import { FIRST_SEQ } from '../fanout/frame-pool.js';
import { monotonicMs } from '../fanout/load-generator-protocol.js';
import { ProcessSampler } from '../fanout/process-sampler.js';
import { subscriberConnections } from '../fanout/server-log.js';
import { subscriberMix } from '../fanout/subscriber-mix.js';
import { cpuUsPerMessage, type TrafficDriver } from '../fanout/traffic-driver.js';
import { count, megabytes } from '../lib/number-format.js';
import type { ClusterResult, ClusterStepResult, RoleUsage } from './cluster-summary.js';
import { metricValue } from './metric-value.js';
import { natsServerVersion, startBenchNats } from './nats-server.js';
import { measurePublishCeiling } from './publish-ceiling.js';

export interface ClusterOptions {
  /** The nats-server executable. */
  natsCommand: string;
  /** Subscriber counts of the steps, dealt over the edges. */
  steps: readonly number[];
  /** Edge processes. */
  edges: number;
  /** Relay frames per second. */
  rate: number;
  stepSeconds: number;
  /** Seconds of traffic to the connected subscribers before each step's measured window (0: none). */
  warmupSeconds: number;
  drainMs: number;
  /** Monotonic ms after which no new step starts. */
  deadlineMs: number;
  /** Events and append size of the publish-ceiling measurement (0 events: skip it). */
  ceilingEvents: number;
  ceilingBatch: number;
  logDir: string;
  nodeFlags?: string[];
  log: (line: string) => void;
}

const WARM_UP_SECONDS = 2;

/**
 * The cluster benchmark: one nats-server (`-js`, loopback) for the phase; per step a fresh
 * ingester (`--role ingest`, reading the paced relay) and fresh edges (`--role edge`, each on
 * its own store, kept between steps), warmed up; the load generator's subscribers dealt over
 * the edges' URLs; latency from the relay's send through NATS to the subscriber. CPU and RSS of
 * every process, nats-server's apart. Then the ingester's publish ceiling
 * (`libs/nats/bench/publish-throughput.mjs`, its own nats-server), with the cluster stopped.
 */
export async function runCluster(
  resources: BenchResources,
  traffic: TrafficDriver,
  options: ClusterOptions,
): Promise<ClusterResult> {
  const { relay, pool } = traffic;
  const dids = pool.didsByActivity();
  const secondsPerStep = WARM_UP_SECONDS + options.warmupSeconds + options.stepSeconds + options.drainMs / 1000 + 12;
  const timeLeft = () => monotonicMs() + secondsPerStep * 1000 < options.deadlineMs;
  const result: ClusterResult = { natsServer: `${natsServerVersion(options.natsCommand)} (${options.natsCommand})`, steps: [] };
  const ingesterDir = resources.tempDir('cluster-ingest');
  const edgeDirs = Array.from({ length: options.edges }, (_, edge) => resources.tempDir(`cluster-edge-${edge + 1}`));

  const nats = await startBenchNats(resources, options.natsCommand);
  const cluster = ['--nats-url', nats.url];
  const natsSampler = new ProcessSampler(nats.pid);
  try {
    for (const subscribers of options.steps) {
      if (!timeLeft()) break;
      const name = `cluster-${subscribers}-at-${options.rate}`;
      const processes: ServerProcess[] = [];
      const samplers: ProcessSampler[] = [];
      try {
        // Edges first, so that they are in the stream before the ingester's first event.
        const edges: ServerProcess[] = [];
        for (const [edge, dataDir] of edgeDirs.entries()) {
          const server = await startJetstreamServer(resources, {
            dataDir,
            logPath: join(options.logDir, `${name}-edge-${edge + 1}.log`),
            nodeFlags: options.nodeFlags,
            extraArgs: [...cluster, '--role', 'edge'],
            ready: 'readyz',
          });
          edges.push(server);
          processes.push(server);
        }
        const connectionsBefore = relay.connectionCount;
        const ingester = await startJetstreamServer(resources, {
          relayUrl: relay.url,
          dataDir: ingesterDir,
          logPath: join(options.logDir, `${name}-ingest.log`),
          nodeFlags: options.nodeFlags,
          extraArgs: [...cluster, '--role', 'ingest'],
        });
        processes.push(ingester);
        await relay.waitForConsumer(15_000, connectionsBefore);
        await traffic.warmUp(options.rate, WARM_UP_SECONDS);
        // A subscriber must not see warm-up events: their keys recur in the step (the pool loops).
        await waitForCatchUp(ingester, edges, FIRST_SEQ + traffic.framesPlayed - 1, options.log);

        const ingesterSampler = new ProcessSampler(ingester.pid);
        const edgeSamplers = edges.map((edge) => new ProcessSampler(edge.pid));
        samplers.push(ingesterSampler, ...edgeSamplers);
        const { messages, ...measured } = await traffic.measure({
          urls: edges.map((edge) => edge.subscribeUrl),
          specs: subscriberMix(subscribers, dids),
          rate: options.rate,
          seconds: options.stepSeconds,
          warmupSeconds: options.warmupSeconds,
          drainMs: options.drainMs,
          onWindowStart: () => {
            for (const sampler of [...samplers, natsSampler]) sampler.reset();
          },
        });
        const ingesterUsage = ingesterSampler.usage();
        const edgeUsages = edgeSamplers.map((sampler) => sampler.usage());
        const natsUsage = natsSampler.usage();
        const serverCpuSeconds = ingesterUsage.cpuSeconds + edgeUsages.reduce((total, usage) => total + usage.cpuSeconds, 0);
        const step: Omit<ClusterStepResult, 'behind'> = {
          ...measured,
          subscribersPerEdge: edges.map((edge) => subscriberConnections(readFileSync(edge.logPath, 'utf8')).length),
          ingester: roleUsage(ingesterUsage),
          edges: edgeUsages.map(roleUsage),
          nats: roleUsage(natsUsage),
          serverCpuUsPerMessage: cpuUsPerMessage(serverCpuSeconds, messages),
          natsCpuUsPerMessage: cpuUsPerMessage(natsUsage.cpuSeconds, messages),
        };
        const done = { ...step, behind: behindReasons(step) };
        options.log(describeClusterStep(done));
        result.steps.push(done);
      } finally {
        for (const sampler of samplers) sampler.stop();
        await traffic.disconnect();
        await Promise.all(processes.map((server) => resources.stop(server.child)));
      }
    }
  } finally {
    natsSampler.stop();
    await nats.stop();
  }
  if (options.ceilingEvents > 0) {
    options.log(`  the ingester's NATS publish ceiling: ${count(options.ceilingEvents)} events in appends of ${options.ceilingBatch}...`);
    result.publishCeiling = await measurePublishCeiling(resources, {
      natsCommand: options.natsCommand,
      events: options.ceilingEvents,
      batchSize: options.ceilingBatch,
    });
  }
  return result;
}

const CATCH_UP_TIMEOUT_MS = 30_000;

/** Waits until the ingester has read the relay's frame `lastSeq` and every edge has stored all the stream holds. */
async function waitForCatchUp(ingester: ServerProcess, edges: readonly ServerProcess[], lastSeq: number, log: (line: string) => void): Promise<void> {
  const read = async (server: ServerProcess, name: string) =>
    metricValue(await (await fetch(server.metricsUrl)).text(), name);
  const deadline = monotonicMs() + CATCH_UP_TIMEOUT_MS;
  let caughtUp = 0;
  // Twice in a row, 100 ms apart: the ingester publishes a frame's events after counting it.
  while (caughtUp < 2) {
    if (monotonicMs() > deadline) {
      log(`  the edges had not caught up ${CATCH_UP_TIMEOUT_MS / 1000} s after the warm-up: measuring anyway`);
      return;
    }
    await sleep(100);
    const ingested = (await read(ingester, 'consumer_last_seq')) === lastSeq;
    const lags = await Promise.all(edges.map((edge) => read(edge, 'jetstream_edge_lag_events')));
    caughtUp = ingested && lags.every((lag) => lag === 0) ? caughtUp + 1 : 0;
  }
}

function roleUsage({ cpuPercent, rssMaxBytes, runQueueWaitPercent }: RoleUsage): RoleUsage {
  return { cpuPercent, rssMaxBytes, runQueueWaitPercent };
}

function describeClusterStep(step: ClusterStepResult): string {
  return (
    `  cluster N=${step.subscribers} (${step.subscribersPerEdge.join('/')} per edge) @${step.targetFramesPerSecond}/s: ` +
    `p50 ${step.latencyMs.p50.toFixed(1)} ms, p99 ${step.latencyMs.p99.toFixed(1)} ms, lost ${step.delivery.lost}, late ${step.delivery.late}, ` +
    `CPU ingest ${step.ingester.cpuPercent.toFixed(0)} %, edges ${step.edges.map((edge) => edge.cpuPercent.toFixed(0)).join('+')} %, nats ${step.nats.cpuPercent.toFixed(0)} %, ` +
    `RSS ingest ${megabytes(step.ingester.rssMaxBytes)}, edges ${step.edges.map((edge) => megabytes(edge.rssMaxBytes)).join('/')}, nats ${megabytes(step.nats.rssMaxBytes)} MiB, ` +
    `${step.serverCpuUsPerMessage.toFixed(2)} µs/msg (+ nats ${step.natsCpuUsPerMessage.toFixed(2)}), load generator CPU ${step.loadGeneratorCpuPercent.toFixed(0)} %` +
    (step.behind.length > 0 ? ` — behind: ${step.behind.join('; ')}` : '')
  );
}
