import { setTimeout as sleep } from 'node:timers/promises';
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
> & {
  /** Messages the subscribers received (the denominator of CPU per message). */
  messages: number;
};

export interface TrafficStepOptions {
  /** `/subscribe` URLs; the subscribers are dealt out over them in turn. */
  urls: readonly string[];
  specs: readonly SubscriberSpec[];
  /** Relay frames per second. */
  rate: number;
  seconds: number;
  drainMs: number;
  /** Called just before the first frame: the moment server CPU sampling should start. */
  onPlayStart: () => void;
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
   * Connects the subscribers, plays `rate × seconds` frames, waits up to `drainMs` for the owed
   * events. Leaves the subscribers connected: call `disconnect()` (in a `finally`).
   */
  async measure(options: TrafficStepOptions): Promise<TrafficMeasurement> {
    const { loadGenerator, relay, pool } = this;
    const connected = await loadGenerator.connect(options.urls, options.specs);
    await sleep(500);
    const start = this.#nextFrame;
    const count = Math.round(options.rate * options.seconds);
    await loadGenerator.step(start, count);
    options.onPlayStart();
    const play = await relay.play({
      frame: (n) => pool.frame(n),
      start,
      count,
      rate: options.rate,
      onSent: (frames, times) => loadGenerator.sent(frames, times),
    });
    this.#nextFrame += count;
    const report = await loadGenerator.finish(options.drainMs);
    const seconds = play.elapsedMs / 1000;
    const deliverySeconds = Math.max(seconds, (report.lastMessageAtMs - report.firstMessageAtMs) / 1000);
    return {
      subscribers: options.specs.length,
      connectFailures: connected.failed,
      targetFramesPerSecond: options.rate,
      eventsPerSecond: this.#countEvents(start, count) / seconds,
      seconds,
      latencyMs: new LatencyHistogram(report.latencyCounts, report.latencyMax).summary(),
      delivery: report.delivery,
      bytesPerSecondOut: report.bytes / deliverySeconds,
      messagesPerSecondOut: report.messages / deliverySeconds,
      loadGeneratorCpuPercent: report.cpuPercent,
      loadGeneratorRunQueueWaitPercent: report.runQueueWaitPercent,
      drainMs: report.drainMs,
      closed: report.closed,
      messages: report.messages,
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
