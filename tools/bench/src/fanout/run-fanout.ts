import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startJetstreamServer,
  startNaiveServer,
  type BenchResources,
  type ServerProcess,
} from './bench-processes.js';
import { behindReasons, type FanoutStepResult } from './fanout-step.js';
import { monotonicMs } from './load-generator-protocol.js';
import { processAndChildren, ProcessSampler } from './process-sampler.js';
import { subscriberConnections } from './server-log.js';
import { subscriberMix } from './subscriber-mix.js';
import { cpuUsPerMessage, type TrafficDriver } from './traffic-driver.js';
import { megabytes } from '../lib/number-format.js';

export interface FanoutOptions {
  /** Subscriber counts of the fixed-rate steps, e.g. 100, 500, 1000. */
  steps: readonly number[];
  /** Relay frames per second of those steps. */
  rate: number;
  stepSeconds: number;
  /** Seconds of traffic to the connected subscribers before each step's measured window (0: none). */
  warmupSeconds: number;
  /** After the steps, the rate is multiplied by this until delivery falls behind… */
  rampFactor: number;
  /** …at most this many times (0: no ramp), with the most subscribers that kept up at `rate`. */
  rampSteps: number;
  /** Subscribers for the naive design's comparison step (0: skip it). */
  naiveSubscribers: number;
  /** `--workers` of the multi-process step, with the most subscribers at `rate` (1 or less: skip it). */
  workers: number;
  /** How long to wait after the last frame for the owed events still on their way. */
  drainMs: number;
  /** Monotonic ms after which no new step starts. */
  deadlineMs: number;
  /** Directory for server logs. */
  logDir: string;
  /** Node flags for the servers, e.g. `--cpu-prof --cpu-prof-dir x`. */
  nodeFlags?: string[];
  log: (line: string) => void;
}

export interface FanoutResult {
  steps: FanoutStepResult[];
  ramp: FanoutStepResult[];
  naive?: FanoutStepResult;
  /** The same subscribers and rate as the biggest step, served by `--workers` processes. */
  workers?: FanoutStepResult;
  /** Rate of the fastest ramp step that kept up (frames/s), if any. */
  maxKeptUpRate?: number;
}

const WARM_UP_SECONDS = 2;

/**
 * The fan-out benchmark: the real server (a child process, started afresh for each step and
 * warmed up, on one data dir) reads the paced relay; the load generator (other children) holds
 * the subscribers. Each step connects N subscribers of the mix, plays `rate × warmupSeconds`
 * frames, then `rate × stepSeconds` (the measured window), waits for the owed events, and
 * disconnects; the server's CPU and RSS are sampled from /proc over the window and the drain. Then the rate goes up until delivery falls
 * behind, and the naive design runs one step for comparison.
 */
export async function runFanout(
  resources: BenchResources,
  traffic: TrafficDriver,
  options: FanoutOptions,
): Promise<FanoutResult> {
  const { relay, pool } = traffic;
  const dids = pool.didsByActivity();
  // A step: server start and warm-up, connecting, the traffic (warm-up and window), the drain, stopping.
  const secondsPerStep = WARM_UP_SECONDS + options.warmupSeconds + options.stepSeconds + options.drainMs / 1000 + 8;
  const timeLeft = () => monotonicMs() + secondsPerStep * 1000 < options.deadlineMs;

  /** Starts a fresh server of the kind (so that each step's RSS is its own), warmed up. */
  const startServer = async (kind: FanoutStepResult['server'], name: string, workers: number): Promise<ServerProcess> => {
    const connectionsBefore = relay.connectionCount;
    const logPath = join(options.logDir, `${name}.log`);
    const server =
      kind === 'ours'
        ? await startJetstreamServer(resources, {
            relayUrl: relay.url,
            dataDir: ourDataDir,
            logPath,
            nodeFlags: options.nodeFlags,
            extraArgs: workers > 1 ? ['--workers', String(workers)] : [],
          })
        : await startNaiveServer(resources, { relayUrl: relay.url, logPath, nodeFlags: options.nodeFlags });
    try {
      await relay.waitForConsumer(15_000, connectionsBefore);
      await traffic.warmUp(options.rate, WARM_UP_SECONDS);
      return server;
    } catch (error) {
      await resources.stop(server.child);
      throw error;
    }
  };

  const runStep = async (
    kind: FanoutStepResult['server'],
    subscribers: number,
    rate: number,
    workers = 1,
  ): Promise<FanoutStepResult> => {
    const server = await startServer(kind, `fanout-${kind}${workers > 1 ? `-${workers}-workers` : ''}-${subscribers}-at-${rate}`, workers);
    // With workers: the primary (ingest, store, announcements) and every worker.
    const sampler = new ProcessSampler(workers > 1 ? () => processAndChildren(server.pid) : server.pid);
    const primarySampler = workers > 1 ? new ProcessSampler(server.pid) : undefined;
    try {
      const { messages, ...measured } = await traffic.measure({
        urls: [server.subscribeUrl],
        specs: subscriberMix(subscribers, dids),
        rate,
        seconds: options.stepSeconds,
        warmupSeconds: options.warmupSeconds,
        drainMs: options.drainMs,
        onWindowStart: () => {
          sampler.reset();
          primarySampler?.reset();
        },
      });
      const usage = sampler.usage();
      const result: Omit<FanoutStepResult, 'behind'> = {
        server: kind,
        ...(workers > 1 ? { workers, subscribersPerWorker: subscribersPerWorker(server.logPath, workers) } : {}),
        ...measured,
        serverCpuPercent: usage.cpuPercent,
        ...(primarySampler ? { primaryCpuPercent: primarySampler.usage().cpuPercent } : {}),
        serverRssMaxBytes: usage.rssMaxBytes,
        serverRssMeanBytes: usage.rssMeanBytes,
        serverCpuUsPerMessage: cpuUsPerMessage(usage.cpuSeconds, messages),
        serverRunQueueWaitPercent: usage.runQueueWaitPercent,
      };
      const step = { ...result, behind: behindReasons(result) };
      options.log(describeStep(step));
      return step;
    } finally {
      sampler.stop();
      primarySampler?.stop();
      await traffic.disconnect();
      await resources.stop(server.child);
    }
  };

  const ourDataDir = resources.tempDir('fanout-data');
  const result: FanoutResult = { steps: [], ramp: [] };
  for (const subscribers of options.steps) {
    if (!timeLeft()) break;
    result.steps.push(await runStep('ours', subscribers, options.rate));
  }
  // The ramp starts from the most subscribers that kept up at the base rate.
  const keptUpSteps = result.steps.filter((step) => step.behind.length === 0);
  const rampSubscribers = Math.max(0, ...keptUpSteps.map((step) => step.subscribers));
  let rate = options.rate;
  let keptUp = rampSubscribers > 0;
  for (let ramp = 0; keptUp && ramp < options.rampSteps && timeLeft(); ramp++) {
    rate = Math.round(rate * options.rampFactor);
    const step = await runStep('ours', rampSubscribers, rate);
    result.ramp.push(step);
    keptUp = step.behind.length === 0;
    if (keptUp) result.maxKeptUpRate = rate;
  }
  const biggest = Math.max(0, ...result.steps.map((step) => step.subscribers));
  if (options.workers > 1 && biggest > 0 && timeLeft()) result.workers = await runStep('ours', biggest, options.rate, options.workers);
  if (options.naiveSubscribers > 0 && timeLeft())
    result.naive = await runStep('naive', options.naiveSubscribers, options.rate);
  return result;
}

/** Subscribers each worker served, from the `subscriber connected` lines of the server's log. */
function subscribersPerWorker(logPath: string, workers: number): number[] {
  const counts = new Array<number>(workers).fill(0);
  for (const { worker } of subscriberConnections(readFileSync(logPath, 'utf8'))) {
    // Worker ids start at 1 (node:cluster); a replaced worker's id goes on counting.
    if (worker !== undefined) counts[(worker - 1) % workers] += 1;
  }
  return counts;
}

function describeStep(step: FanoutStepResult): string {
  return (
    `  ${step.server}${step.workers ? ` (${step.workers} workers: ${step.subscribersPerWorker?.join('/')} subscribers)` : ''} N=${step.subscribers} @${step.targetFramesPerSecond}/s: CPU µs/msg ${step.serverCpuUsPerMessage.toFixed(2)} (after ${step.warmupSeconds} s of warm-up), p50 ${step.latencyMs.p50.toFixed(1)} ms, ` +
    `p99 ${step.latencyMs.p99.toFixed(1)} ms, lost ${step.delivery.lost}, late ${step.delivery.late}, CPU ${step.serverCpuPercent.toFixed(0)} %` +
    (step.primaryCpuPercent !== undefined ? ` (primary ${step.primaryCpuPercent.toFixed(0)} %)` : '') +
    `, ` +
    `RSS ${megabytes(step.serverRssMaxBytes)} MiB, out ${megabytes(step.bytesPerSecondOut)} MiB/s, load generator CPU ${step.loadGeneratorCpuPercent.toFixed(0)} %, ` +
    `waiting for a CPU: server ${step.serverRunQueueWaitPercent.toFixed(0)} %, load generator ${step.loadGeneratorRunQueueWaitPercent.toFixed(0)} %` +
    (step.behind.length > 0 ? ` — behind: ${step.behind.join('; ')}` : '')
  );
}
