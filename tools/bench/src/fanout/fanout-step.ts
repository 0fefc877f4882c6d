import type { DeliverySummary } from './delivery-ledger.js';
import type { LatencySummary } from './latency-histogram.js';

/** Limits past which a step counts as "delivery falls behind". */
export interface BehindLimits {
  /** A p99 latency above this (ms): a backlog is building. */
  maxP99Ms: number;
}

export const DEFAULT_BEHIND_LIMITS: BehindLimits = { maxP99Ms: 1000 };

/** One measured fan-out step. */
export interface FanoutStepResult {
  /** `ours` (jetstream-server) or `naive` (per-subscriber stringify and compression). */
  server: 'ours' | 'naive';
  /** `--workers` of our server (absent: one process); CPU and RSS are then the primary's plus the workers'. */
  workers?: number;
  /** With workers: how many subscribers each served (from its `subscriber connected` log lines). */
  subscribersPerWorker?: number[];
  subscribers: number;
  /** Subscribers that failed to connect. */
  connectFailures: number;
  /** Relay frames per second asked for, and events per second the frames made. */
  targetFramesPerSecond: number;
  eventsPerSecond: number;
  /** Seconds of the measured window (server CPU, CPU per message, events/s)… */
  seconds: number;
  /**
   * …after this many seconds of the same traffic to the connected subscribers, left out of the
   * window (JIT compilation and heap growth of fresh processes); latencies, lost and late and
   * the out rates cover the whole step.
   */
  warmupSeconds: number;
  latencyMs: LatencySummary;
  delivery: DeliverySummary;
  /** Server CPU (% of one core) and RSS over the measured window and the drain, from /proc. */
  serverCpuPercent: number;
  /** With workers: the primary's share of `serverCpuPercent` (ingest and the store's writes). */
  primaryCpuPercent?: number;
  serverRssMaxBytes: number;
  serverRssMeanBytes: number;
  /** Payload bytes and messages per second the subscribers received. */
  bytesPerSecondOut: number;
  messagesPerSecondOut: number;
  /** Server CPU per message delivered in the measured window (and the drain), in µs. */
  serverCpuUsPerMessage: number;
  loadGeneratorCpuPercent: number;
  /**
   * Share of the step the server's and the load generator's main threads waited for a CPU
   * while runnable (%): high means other work on the machine held them up.
   */
  serverRunQueueWaitPercent: number;
  loadGeneratorRunQueueWaitPercent: number;
  /** Wait after the last frame until every subscriber had everything (or the drain limit). */
  drainMs: number;
  /** Subscribers closed by the server during the step. */
  closed: number;
  /** Why the step counts as falling behind; empty when it kept up. */
  behind: string[];
}

/** The reasons a step fell behind: losses, closed subscribers, a p99 past the limit. */
export function behindReasons(
  step: Pick<FanoutStepResult, 'delivery' | 'latencyMs' | 'closed' | 'connectFailures'>,
  limits: BehindLimits = DEFAULT_BEHIND_LIMITS,
): string[] {
  const reasons: string[] = [];
  if (step.delivery.lost > 0)
    reasons.push(`${step.delivery.lost} events lost (${step.delivery.subscribersWithLoss} subscribers)`);
  if (step.delivery.late > 0) {
    reasons.push(
      `${step.delivery.late} events still on their way after the drain (${step.delivery.subscribersBehind} subscribers; not in the latencies)`,
    );
  }
  if (step.closed > 0) reasons.push(`${step.closed} subscribers closed`);
  if (step.connectFailures > 0) reasons.push(`${step.connectFailures} subscribers failed to connect`);
  if (step.latencyMs.p99 > limits.maxP99Ms)
    reasons.push(`p99 ${Math.round(step.latencyMs.p99)} ms > ${limits.maxP99Ms} ms`);
  return reasons;
}
