import { readFileSync } from 'node:fs';
import { createV1Decompressor } from '@jetstream-ts/compression';
import { WebSocket, type RawData } from 'ws';
import { ArrivalCounter } from './arrival-counter.js';
import { DeliveryLedger, eventKey } from './delivery-ledger.js';
import { FrameLatencies } from './frame-latencies.js';
import { stepEvents, type PoolEvent } from './frame-pool.js';
import { LatencyHistogram } from './latency-histogram.js';
import { openLeanWebSocket, type LeanWebSocket } from './lean-websocket.js';
import {
  monotonicMs,
  type LoadGeneratorReply,
  type LoadGeneratorRequest,
  type ReplayReport,
  type StepReport,
} from './load-generator-protocol.js';
import { parseRunQueueWaitSeconds } from './process-sampler.js';
import { roundRobinUrl } from './round-robin.js';
import { subscribeQuery, type SubscriberSpec } from './subscriber-mix.js';

// The load generator: a child process of the bench holding the WebSocket subscribers, driven
// over IPC (see load-generator-protocol.ts). Its work per message is kept small so that it
// measures the server rather than itself: the subscribers read frames with a lean reader (no
// per-frame buffers or events); an event is decoded once, by the first subscriber that
// receives it; the others find it by its time_us (JSON) or its zstd bytes.

const CONNECTS_IN_FLIGHT = 50;
const TIME_US_FIELD = Buffer.from('"time_us":');

const decompressor = createV1Decompressor();
let eventsOfFrame: readonly (readonly PoolEvent[])[] = [];
let specs: readonly SubscriberSpec[] = [];
let sockets: LeanWebSocket[] = [];
let step: StepState | undefined;

/** Everything one step measures. */
class StepState {
  readonly ledger: DeliveryLedger;
  readonly latency = new LatencyHistogram();
  readonly latencies: FrameLatencies;
  /** Per event of the step: the frame it came from (`ledger.events[i].frame`, packed). */
  readonly frameOfEvent: Int32Array;
  readonly indexByTimeUs = new Map<number, number>();
  readonly indexByZstd = new Map<number, { bytes: Buffer; index: number }[]>();
  /** Per event of the step: its zstd frame once a compressed subscriber received it. */
  readonly zstdOfEvent: (Buffer | undefined)[];
  readonly cpuAtStart = process.cpuUsage();
  readonly waitAtStart = runQueueWaitSeconds();
  readonly startedAtMs = monotonicMs();
  /** Receive times, to count the messages of the measured window once its start is known. */
  readonly arrivals = new ArrivalCounter(this.startedAtMs);
  messages = 0;
  bytes = 0;
  firstMessageAtMs = 0;
  lastMessageAtMs = 0;
  closed = 0;
  onProgress: (() => void) | undefined;

  constructor(start: number, count: number) {
    this.ledger = new DeliveryLedger(stepEvents(eventsOfFrame, start, count), specs);
    this.latencies = new FrameLatencies(count, this.latency);
    this.frameOfEvent = Int32Array.from(this.ledger.events, (event) => event.frame);
    this.zstdOfEvent = new Array<Buffer | undefined>(this.ledger.events.length).fill(undefined);
  }

  addSendTimes(frames: number[], times: number[]): void {
    for (let index = 0; index < frames.length; index++) this.latencies.sent(frames[index], times[index]);
  }
}

/**
 * The receive time of the socket read being handled: its messages arrived together (ws hands
 * them over synchronously), so one clock reading serves them all; forgotten once the read's
 * callback returns.
 */
let readAtMs = NaN;

function receiveTimeMs(): number {
  if (Number.isNaN(readAtMs)) {
    readAtMs = monotonicMs();
    queueMicrotask(forgetReadTime);
  }
  return readAtMs;
}

function forgetReadTime(): void {
  readAtMs = NaN;
}

function onMessage(subscriber: number, data: Buffer, isBinary: boolean): void {
  const state = step;
  if (!state) return;
  const now = receiveTimeMs();
  if (state.messages === 0) state.firstMessageAtMs = now;
  state.lastMessageAtMs = now;
  state.messages++;
  state.arrivals.add(now);
  state.bytes += data.length;
  const index = isBinary ? zstdEventIndex(state, subscriber, data) : jsonEventIndex(state, subscriber, data);
  state.ledger.receive(subscriber, index);
  if (index >= 0) state.latencies.received(state.frameOfEvent[index], now);
  if (state.onProgress && state.ledger.outstanding === 0) state.onProgress();
}

function jsonEventIndex(state: StepState, subscriber: number, json: Buffer): number {
  const timeUs = timeUsOf(json);
  const known = state.indexByTimeUs.get(timeUs);
  if (known !== undefined) return known;
  const index = locate(state, subscriber, json);
  state.indexByTimeUs.set(timeUs, index);
  return index;
}

function zstdEventIndex(state: StepState, subscriber: number, zstd: Buffer): number {
  // Delivery is in order and a compressed subscriber is owed every event: its message is most
  // likely the event after its last one, confirmed by one byte comparison.
  const next = state.ledger.nextIndex(subscriber);
  const expected = state.zstdOfEvent[next];
  if (expected !== undefined && expected.equals(zstd)) return next;
  // Otherwise: a zstd frame of ours ends with its content checksum, a good hash, checked by
  // comparing bytes.
  const checksum = zstd.length >= 4 ? zstd.readUInt32LE(zstd.length - 4) : 0;
  const candidates = state.indexByZstd.get(checksum);
  if (candidates)
    for (const candidate of candidates) if (candidate.bytes.equals(zstd)) return candidate.index;
  let index: number;
  try {
    index = jsonEventIndex(state, subscriber, Buffer.from(decompressor.decompress(zstd)));
  } catch {
    index = -1;
  }
  // A copy: the message may be a slice of a large socket read that should not stay alive.
  const entry = { bytes: Buffer.from(zstd), index };
  if (candidates) candidates.push(entry);
  else state.indexByZstd.set(checksum, [entry]);
  if (index >= 0) state.zstdOfEvent[index] = entry.bytes;
  return index;
}

function locate(state: StepState, subscriber: number, json: Buffer): number {
  try {
    return state.ledger.locate(subscriber, eventKey(JSON.parse(json.toString('utf8'))));
  } catch {
    return -1;
  }
}

function runQueueWaitSeconds(): number {
  try {
    return parseRunQueueWaitSeconds(readFileSync(`/proc/${process.pid}/schedstat`, 'utf8'));
  } catch {
    return NaN;
  }
}

/** The `time_us` of a v1 JSON event, read without parsing it; -1 when absent. */
function timeUsOf(json: Buffer): number {
  const at = json.indexOf(TIME_US_FIELD);
  if (at < 0) return -1;
  let value = 0;
  for (let position = at + TIME_US_FIELD.length; position < json.length; position++) {
    const digit = json[position] - 48;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  return value;
}

function asBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

async function connect(
  urls: readonly string[],
  wanted: readonly SubscriberSpec[],
): Promise<{ open: number; failed: number }> {
  specs = wanted;
  sockets = [];
  let failed = 0;
  let next = 0;
  const openOne = async (): Promise<void> => {
    while (next < wanted.length) {
      const subscriber = next++;
      const socket = await openLeanWebSocket(roundRobinUrl(urls, subscriber) + subscribeQuery(wanted[subscriber]), {
        message: (data, isBinary) => onMessage(subscriber, data, isBinary),
        close: () => {
          if (step) step.closed++;
        },
      });
      if (socket) sockets.push(socket);
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: CONNECTS_IN_FLIGHT }, openOne));
  return { open: wanted.length - failed, failed };
}

async function finish(state: StepState, drainMs: number, windowStartMs: number): Promise<StepReport> {
  const waitStartedMs = monotonicMs();
  if (state.ledger.outstanding > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, drainMs);
      state.onProgress = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  state.onProgress = undefined;
  const drainedAtMs = monotonicMs();
  const cpu = process.cpuUsage(state.cpuAtStart);
  step = undefined;
  return {
    delivery: state.ledger.summary(),
    latencyCounts: Array.from(state.latency.counts()),
    latencyMax: state.latency.max(),
    messages: state.messages,
    windowMessages: state.arrivals.countSince(windowStartMs),
    bytes: state.bytes,
    firstMessageAtMs: state.firstMessageAtMs,
    lastMessageAtMs: state.lastMessageAtMs,
    drainMs: drainedAtMs - waitStartedMs,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / (drainedAtMs - state.startedAtMs)) * 100,
    runQueueWaitPercent:
      ((runQueueWaitSeconds() - state.waitAtStart) * 1000 * 100) / (drainedAtMs - state.startedAtMs),
    closed: state.closed,
  };
}

async function disconnect(): Promise<void> {
  await Promise.all(sockets.map((socket) => socket.terminate()));
  sockets = [];
}

async function replay(url: string, events: number, timeoutMs: number): Promise<ReplayReport> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  let count = 0;
  let bytes = 0;
  let previousTimeUs = -1;
  let ordered = true;
  let openedAtMs = 0;
  let lastAtMs = 0;
  const timedOut = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(true), timeoutMs);
    socket.once('open', () => (openedAtMs = monotonicMs()));
    socket.on('message', (data, isBinary) => {
      const message = asBuffer(data);
      count++;
      bytes += message.length;
      lastAtMs = monotonicMs();
      if (!isBinary) {
        const timeUs = timeUsOf(message);
        if (!(timeUs > previousTimeUs)) ordered = false;
        previousTimeUs = timeUs;
      }
      if (count >= events) {
        clearTimeout(timer);
        resolve(false);
      }
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(count < events);
    });
    socket.once('error', () => undefined);
  });
  socket.terminate();
  return { events: count, bytes, elapsedMs: lastAtMs - openedAtMs, ordered, timedOut };
}

async function handle(request: LoadGeneratorRequest): Promise<LoadGeneratorReply | undefined> {
  switch (request.type) {
    case 'pool':
      eventsOfFrame = request.eventsOfFrame;
      return { type: 'ready' };
    case 'connect':
      return { type: 'connected', ...(await connect(request.urls, request.specs)) };
    case 'step':
      step = new StepState(request.start, request.count);
      return { type: 'step-ready' };
    case 'sent':
      step?.addSendTimes(request.frames, request.times);
      return undefined;
    case 'finish':
      if (!step) return { type: 'failed', message: 'finish without a step' };
      return { type: 'finished', report: await finish(step, request.drainMs, request.windowStartMs) };
    case 'disconnect':
      await disconnect();
      return { type: 'disconnected' };
    case 'replay':
      return { type: 'replayed', report: await replay(request.url, request.events, request.timeoutMs) };
  }
}

process.on('message', (request: LoadGeneratorRequest) => {
  handle(request).then(
    (reply) => reply && process.send?.(reply),
    (error: unknown) =>
      process.send?.({ type: 'failed', message: String(error) } satisfies LoadGeneratorReply),
  );
});
// The bench is gone (even killed), or stops us: exit normally (so that --cpu-prof writes its profile).
process.on('disconnect', () => process.exit(0));
process.once('SIGTERM', () => process.exit(0));
