import { setTimeout as sleep } from 'node:timers/promises';
import { monotonicMs } from './load-generator-protocol.js';
import type { FanoutStepResult } from './fanout-step.js';
import type { FramePool } from './frame-pool.js';
import type { LoadGeneratorGroup } from './load-generator-group.js';
import { LatencyHistogram } from './latency-histogram.js';
import type { PacedRelay } from './paced-relay.js';
import type { SubscriberSpec } from './subscriber-mix.js';

/** What the subscribers saw of one step, whatever served them (one server, workers, a cluster). */
export type TrafficMeasurement = Pick<
  FanoutStepResult,
  | 'subscribers'
  | 'connectFailures'
  | 'targetFramesPerSecond'
  | 'eventsPerSecond'
  | 'seconds'
  | 'latencyMs'
  | 'delivery'
  | 'bytesPerSecondOut'
  | 'messagesPerSecondOut'
  | 'loadGeneratorCpuPercent'
  | 'loadGeneratorRunQueueWaitPercent'
  | 'drainMs'
  | 'closed'
  | 'warmupSeconds'
> & {
  /** Messages the subscribers received in the measured window (the denominator of CPU per message). */
  messages: number;
};

export interface TrafficStepOptions {
  /** `/subscribe` URLs; the subscribers are dealt out over them in turn. */
  urls: readonly string[];
  specs: readonly SubscriberSpec[];
  /** Relay frames per second. */
  rate: number;
  /** Seconds of the measured window, after… */
  seconds: number;
  /**
   * …this many seconds of the same traffic to the connected subscribers (0: none), so that the
   * window is the steady state, without the JIT compilation and heap growth of fresh processes.
   */
  warmupSeconds: number;
  drainMs: number;
  /** Called when the warm-up's last frame went out: the moment server CPU sampling should start. */
  onWindowStart: () => void;
}

/**
 * The relay and the load generator driven together over a run: it numbers the run's frames (each
 * step and warm-up plays the next ones, so the server sees ever-increasing seqs), and measures a
 * step from the subscribers' side. Shared by the fan-out and cluster phases.
 */
export class TrafficDriver {
  #nextFrame = 0;

  constructor(
    readonly relay: PacedRelay,
    readonly pool: FramePool,
    readonly loadGenerator: LoadGeneratorGroup,
  ) {}

  /** Frames played so far: the next frame's number; the last one went out with seq `FIRST_SEQ + framesPlayed - 1`. */
  get framesPlayed(): number {
    return this.#nextFrame;
  }

  /** Plays `seconds` of frames with nobody measuring (the server's JIT and caches warm up), then lets it settle. */
  async warmUp(rate: number, seconds: number): Promise<void> {
    const count = Math.round(rate * seconds);
    await this.relay.play({ frame: (n) => this.pool.frame(n), start: this.#nextFrame, count, rate });
    this.#nextFrame += count;
    await sleep(500);
  }

  /**
   * Connects the subscribers, plays `rate × warmupSeconds` frames then `rate × seconds` more (the
   * measured window), waits up to `drainMs` for the owed events. The delivery ledger and the
   * latencies cover every frame of the step, warm-up included (an event delivered then is
   * neither lost nor late); `messages` and the rates only the window. Leaves the subscribers
   * connected: call `disconnect()` (in a `finally`).
   */
  async measure(options: TrafficStepOptions): Promise<TrafficMeasurement> {
    const { loadGenerator, relay, pool } = this;
    const connected = await loadGenerator.connect(options.urls, options.specs);
    await sleep(500);
    const start = this.#nextFrame;
    const warmupCount = Math.round(options.rate * options.warmupSeconds);
    const count = Math.round(options.rate * options.seconds);
    await loadGenerator.step(start, warmupCount + count);
    // The load generator numbers frames from the step's start, a play from its own.
    const playFrames = (first: number, frames: number) =>
      relay.play({
        frame: (n) => pool.frame(n),
        start: start + first,
        count: frames,
        rate: options.rate,
        onSent: (played, times) => loadGenerator.sent(first === 0 ? played : played.map((n) => n + first), times),
      });
    const warmupPlay = warmupCount > 0 ? await playFrames(0, warmupCount) : undefined;
    const windowStartMs = monotonicMs();
    options.onWindowStart();
    const play = await playFrames(warmupCount, count);
    this.#nextFrame += warmupCount + count;
    const report = await loadGenerator.finish(options.drainMs, windowStartMs);
    const seconds = play.elapsedMs / 1000;
    // The out rates are over the whole step's traffic, warm-up included.
    const deliverySeconds = Math.max(
      seconds + (warmupPlay?.elapsedMs ?? 0) / 1000,
      (report.lastMessageAtMs - report.firstMessageAtMs) / 1000,
    );
    return {
      subscribers: options.specs.length,
      connectFailures: connected.failed,
      targetFramesPerSecond: options.rate,
      eventsPerSecond: this.#countEvents(start + warmupCount, count) / seconds,
      seconds,
      warmupSeconds: options.warmupSeconds,
      latencyMs: new LatencyHistogram(report.latencyCounts, report.latencyMax).summary(),
      delivery: report.delivery,
      bytesPerSecondOut: report.bytes / deliverySeconds,
      messagesPerSecondOut: report.messages / deliverySeconds,
      loadGeneratorCpuPercent: report.cpuPercent,
      loadGeneratorRunQueueWaitPercent: report.runQueueWaitPercent,
      drainMs: report.drainMs,
      closed: report.closed,
      messages: report.windowMessages,
    };
  }

  disconnect(): Promise<void> {
    return this.loadGenerator.disconnect();
  }

  #countEvents(start: number, count: number): number {
    let events = 0;
    for (let n = start; n < start + count; n++) events += this.pool.eventsOfFrame[n % this.pool.size].length;
    return events;
  }
}

/** Server CPU per delivered message in µs (NaN when nothing was delivered). */
export function cpuUsPerMessage(cpuSeconds: number, messages: number): number {
  return messages > 0 ? (cpuSeconds * 1e6) / messages : NaN;
}
