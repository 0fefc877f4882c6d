import type { DeliverySummary } from './delivery-ledger.js';
import type { PoolEvent } from './frame-pool.js';
import type { SubscriberSpec } from './subscriber-mix.js';

/**
 * Milliseconds on the monotonic clock (CLOCK_MONOTONIC on Linux), which every process on the
 * machine shares: the relay stamps a frame in one process, a subscriber its arrival in another.
 */
export function monotonicMs(): number {
  return performance.now() + PERFORMANCE_TO_MONOTONIC_MS;
}

// performance.now() runs on the same clock from this process's start: one offset makes it the
// shared one, without a BigInt per reading.
const PERFORMANCE_TO_MONOTONIC_MS = Number(process.hrtime.bigint()) / 1e6 - performance.now();

/** Requests from the bench to the load generator, each answered by one reply. */
export type LoadGeneratorRequest =
  /** The pool's events per frame, to know which events a step's frames make. */
  | { type: 'pool'; eventsOfFrame: readonly (readonly PoolEvent[])[] }
  /** Opens one WebSocket per spec to one of `urls` (in turn) + the spec's query; replies `connected`. */
  | { type: 'connect'; urls: readonly string[]; specs: readonly SubscriberSpec[] }
  /** The next run frames the relay will send; replies `step-ready`. */
  | { type: 'step'; start: number; count: number }
  /** Send times (monotonic ms) of step frames, as the relay sends them; no reply. */
  | { type: 'sent'; frames: number[]; times: number[] }
  /**
   * Every frame was sent: waits until everyone has everything or `drainMs` passed; replies
   * `finished`, counting apart the messages from `windowStartMs` (monotonic ms, the end of the
   * step's warm-up) on.
   */
  | { type: 'finish'; drainMs: number; windowStartMs: number }
  /** Closes every subscriber; replies `disconnected`. */
  | { type: 'disconnect' }
  /** One subscriber reads from `url` until `events` messages came or `timeoutMs` passed; replies `replayed`. */
  | { type: 'replay'; url: string; events: number; timeoutMs: number };

export interface StepReport {
  delivery: DeliverySummary;
  /** Latency histogram (relay send → subscriber receive, ms) as `LatencyHistogram` counts. */
  latencyCounts: number[];
  latencyMax: number;
  /** Messages and payload bytes received, over all subscribers. */
  messages: number;
  /** Messages received from the measured window's start on (after the step's warm-up). */
  windowMessages: number;
  bytes: number;
  /** Monotonic ms of the step's first and last message. */
  firstMessageAtMs: number;
  lastMessageAtMs: number;
  /** How long the wait for the last owed events took after the relay finished. */
  drainMs: number;
  /** CPU the load generator used during the step, in % of one core. */
  cpuPercent: number;
  /** Share of the step its main thread waited for a CPU while runnable, in %. */
  runQueueWaitPercent: number;
  /** Subscribers the server closed (or that failed) during the step. */
  closed: number;
}

export interface ReplayReport {
  events: number;
  bytes: number;
  /** From the connection's open to the last message counted. */
  elapsedMs: number;
  /** JSON only: whether every time_us was above the one before. */
  ordered: boolean;
  timedOut: boolean;
}

export type LoadGeneratorReply =
  | { type: 'ready' }
  | { type: 'connected'; open: number; failed: number }
  | { type: 'step-ready' }
  | { type: 'finished'; report: StepReport }
  | { type: 'disconnected' }
  | { type: 'replayed'; report: ReplayReport }
  | { type: 'failed'; message: string };
