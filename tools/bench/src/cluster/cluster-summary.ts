import type { FanoutStepResult } from '../fanout/fanout-step.js';
import type { ProcessUsage } from '../fanout/process-sampler.js';
import type { TrafficMeasurement } from '../fanout/traffic-driver.js';
import type { PublishCeiling } from './publish-ceiling.js';
import { count, fixed, megabytes } from '../lib/number-format.js';

/** What one process of the cluster used over a step. */
export type RoleUsage = Pick<ProcessUsage, 'cpuPercent' | 'rssMaxBytes' | 'runQueueWaitPercent'>;

/** One step of 1 ingester + N edges on NATS, the subscribers dealt over the edges. */
export interface ClusterStepResult extends Omit<TrafficMeasurement, 'messages'> {
  /** Subscribers each edge served (from its `subscriber connected` log lines), in edge order. */
  subscribersPerEdge: number[];
  ingester: RoleUsage;
  edges: RoleUsage[];
  nats: RoleUsage;
  /** CPU of the ingester and every edge per delivered message, µs; nats-server's is not in it. */
  serverCpuUsPerMessage: number;
  /** nats-server's CPU per delivered message, µs (on top of `serverCpuUsPerMessage`). */
  natsCpuUsPerMessage: number;
  /** Why the step counts as falling behind (see `behindReasons`); empty when it kept up. */
  behind: string[];
}

export interface ClusterResult {
  /** The nats-server used: its version (and path). */
  natsServer: string;
  steps: ClusterStepResult[];
  /** `libs/nats/bench/publish-throughput.mjs`, run after the steps. */
  publishCeiling?: PublishCeiling;
}

/** The cluster phase did not run: why (e.g. no nats-server found). */
export interface ClusterSkipped {
  skipped: string;
}

/** A goal check, as `checkGoals` lists them. */
export interface ClusterGoalCheck {
  goal: string;
  measured: string;
  met: boolean | undefined;
}

/** The cluster's goals: the single-process goals per edge (latency, loss, RSS), an even split, NATS headroom. */
export const CLUSTER_GOALS = {
  maxP99Ms: 250,
  maxEdgeRssBytes: 256 * 1024 * 1024,
  /** Each edge within this share of its fair share of the subscribers. */
  maxSplitDeviation: 0.1,
} as const;

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

export const CLUSTER_HEADER = [
  'cluster',
  'subs',
  'subs/edge',
  'events/s',
  'p50 ms',
  'p99 ms',
  'lost',
  'late',
  'CPU % ingest/edges/nats',
  'RSS MiB ingest/edge max/nats',
  'msgs/s',
  'CPU µs/msg ingest+edges',
  'nats µs/msg',
  'CPU wait % ingest/edge max/lg',
  'kept up',
] as const;

/** One table row per step (columns of `CLUSTER_HEADER`). */
export function clusterRows(steps: readonly ClusterStepResult[]): string[][] {
  return steps.map((step) => [
    `1 ingester + ${step.edges.length} edges`,
    count(step.subscribers),
    step.subscribersPerEdge.join('/'),
    count(step.eventsPerSecond),
    fixed(step.latencyMs.p50),
    fixed(step.latencyMs.p99),
    count(step.delivery.lost),
    count(step.delivery.late),
    [step.ingester.cpuPercent, sum(step.edges.map((edge) => edge.cpuPercent)), step.nats.cpuPercent]
      .map((percent) => fixed(percent, 0))
      .join('/'),
    [step.ingester.rssMaxBytes, Math.max(...step.edges.map((edge) => edge.rssMaxBytes)), step.nats.rssMaxBytes]
      .map(megabytes)
      .join('/'),
    count(step.messagesPerSecondOut),
    fixed(step.serverCpuUsPerMessage, 2),
    fixed(step.natsCpuUsPerMessage, 2),
    // Main threads runnable but waiting for a CPU: how much the machine, not the code, held the step up.
    [step.ingester.runQueueWaitPercent, Math.max(...step.edges.map((edge) => edge.runQueueWaitPercent)), step.loadGeneratorRunQueueWaitPercent]
      .map((percent) => fixed(percent, 0))
      .join('/'),
    step.behind.length === 0 ? 'yes' : 'NO',
  ]);
}

/** The publish ceiling as one line of the section. */
export function describePublishCeiling(ceiling: PublishCeiling): string {
  return (
    `ingester's NATS publish ceiling (libs/nats/bench/publish-throughput.mjs, ${count(ceiling.events)} events in appends of ${count(ceiling.batchSize)}): ` +
    `${count(ceiling.publishEventsPerSecond)} events/s acknowledged; edge catch-up ${count(ceiling.replicateEventsPerSecond)} events/s; ` +
    `${count(ceiling.streamBytesPerMessage)} B/message in the stream`
  );
}

/**
 * The goals of the biggest cluster step: nothing lost, p99 under the single-process goal,
 * each edge's RSS under the single-process goal, the subscribers split evenly over the edges;
 * and the ingester's publish ceiling above the step's event rate. CPU per message is compared
 * with one process at the same subscribers and rate when the run has that step.
 */
export function clusterGoals(cluster: ClusterResult, singleProcessSteps: readonly FanoutStepResult[] = []): ClusterGoalCheck[] {
  if (cluster.steps.length === 0) return [{ goal: 'cluster', measured: 'not run (time limit or failure)', met: undefined }];
  const step = cluster.steps.reduce((biggest, next) => (next.subscribers > biggest.subscribers ? next : biggest));
  const name = `cluster (1 ingester + ${step.edges.length} edges), ${count(step.subscribers)} subscribers at ${count(step.targetFramesPerSecond)}/s`;
  const fairShare = step.subscribers / Math.max(1, step.subscribersPerEdge.length);
  const edgeRss = Math.max(...step.edges.map((edge) => edge.rssMaxBytes));
  const late = step.delivery.late > 0 ? ` (${count(step.delivery.late)} events still undelivered after the drain)` : '';
  const single = singleProcessSteps.find(
    (other) => !other.workers && other.server === 'ours' && other.subscribers === step.subscribers && other.targetFramesPerSecond === step.targetFramesPerSecond,
  );
  const checks: ClusterGoalCheck[] = [
    { goal: `${name}: 0 lost`, measured: `${count(step.delivery.lost)} lost`, met: step.delivery.lost === 0 },
    {
      goal: `${name}: p99 < ${CLUSTER_GOALS.maxP99Ms} ms`,
      measured: `p99 ${fixed(step.latencyMs.p99)} ms${late}`,
      met: step.latencyMs.p99 < CLUSTER_GOALS.maxP99Ms && step.delivery.late === 0,
    },
    {
      goal: `${name}: each edge's RSS <= ${megabytes(CLUSTER_GOALS.maxEdgeRssBytes)} MiB`,
      measured: `${megabytes(edgeRss)} MiB at most`,
      met: edgeRss <= CLUSTER_GOALS.maxEdgeRssBytes,
    },
    {
      goal: `${name}: subscribers split evenly over the edges`,
      measured: `${step.subscribersPerEdge.join('/')} per edge`,
      met:
        step.subscribersPerEdge.length > 0 &&
        step.subscribersPerEdge.every((share) => Math.abs(share - fairShare) <= CLUSTER_GOALS.maxSplitDeviation * fairShare),
    },
    {
      goal: `${name}: ingester's NATS publish ceiling > the step's events/s`,
      measured: cluster.publishCeiling
        ? `${count(cluster.publishCeiling.publishEventsPerSecond)} vs ${count(step.eventsPerSecond)} events/s`
        : 'not measured',
      met: cluster.publishCeiling ? cluster.publishCeiling.publishEventsPerSecond > step.eventsPerSecond : undefined,
    },
  ];
  if (single) {
    checks.push({
      goal: `${name}: CPU µs/msg, ingester + edges (nats-server apart) vs one process`,
      measured: `${fixed(step.serverCpuUsPerMessage, 2)} (+ nats ${fixed(step.natsCpuUsPerMessage, 2)}) vs ${fixed(single.serverCpuUsPerMessage, 2)}`,
      // A comparison, not a goal: the cluster adds a NATS hop and a second store on purpose.
      met: undefined,
    });
  }
  return checks;
}
