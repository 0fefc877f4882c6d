import type { DeliverySummary } from './delivery-ledger.js';
import { LoadGenerator, type BenchResources } from './bench-processes.js';
import type { PoolEvent } from './frame-pool.js';
import type { ReplayReport, StepReport } from './load-generator-protocol.js';
import { roundRobinShare } from './round-robin.js';
import type { SubscriberSpec } from './subscriber-mix.js';

const CONNECT_TIMEOUT_MS = 120_000;
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * Several load generator processes acting as one: subscriber `i` lives in process
 * `i mod size`, every process hears every send time, and their step reports add up. One
 * process receiving a million messages a second is a core's worth of work of its own; a
 * second process lets the load generator use what the server leaves of the other core.
 */
export class LoadGeneratorGroup {
  readonly #members: LoadGenerator[];

  private constructor(members: LoadGenerator[]) {
    this.#members = members;
  }

  /** Starts `size` processes and gives each the frame pool's events. */
  static async start(
    resources: BenchResources,
    size: number,
    eventsOfFrame: readonly (readonly PoolEvent[])[],
    nodeFlags: readonly string[] = [],
  ): Promise<LoadGeneratorGroup> {
    const members = Array.from({ length: size }, () => LoadGenerator.start(resources, nodeFlags));
    await Promise.all(
      members.map((member) => member.request({ type: 'pool', eventsOfFrame }, 'ready', REQUEST_TIMEOUT_MS)),
    );
    return new LoadGeneratorGroup(members);
  }

  /**
   * Opens the subscribers, spread over the processes, each process dealing its share over
   * `urls` in turn (see `roundRobinUrl`); how many opened and failed.
   */
  async connect(urls: readonly string[], specs: readonly SubscriberSpec[]): Promise<{ open: number; failed: number }> {
    const replies = await Promise.all(
      this.#members.map((member, index) =>
        member.request(
          { type: 'connect', urls, specs: roundRobinShare(specs, this.#members.length, index) },
          'connected',
          CONNECT_TIMEOUT_MS,
        ),
      ),
    );
    return {
      open: sum(replies.map((reply) => reply.open)),
      failed: sum(replies.map((reply) => reply.failed)),
    };
  }

  /** Announces the frames of the next step. */
  async step(start: number, count: number): Promise<void> {
    await Promise.all(
      this.#members.map((member) =>
        member.request({ type: 'step', start, count }, 'step-ready', REQUEST_TIMEOUT_MS),
      ),
    );
  }

  /** Passes on send times. */
  sent(frames: number[], times: number[]): void {
    for (const member of this.#members) member.notify({ type: 'sent', frames, times });
  }

  /**
   * Ends the step (after at most `drainMs` of waiting) and adds up the reports; their
   * `windowMessages` count from `windowStartMs` (monotonic ms) on.
   */
  async finish(drainMs: number, windowStartMs: number): Promise<StepReport> {
    const replies = await Promise.all(
      this.#members.map((member) =>
        member.request({ type: 'finish', drainMs, windowStartMs }, 'finished', drainMs + REQUEST_TIMEOUT_MS),
      ),
    );
    return mergeStepReports(replies.map((reply) => reply.report));
  }

  async disconnect(): Promise<void> {
    await Promise.all(
      this.#members.map((member) =>
        member.request({ type: 'disconnect' }, 'disconnected', REQUEST_TIMEOUT_MS),
      ),
    );
  }

  /** One subscriber, in the first process, reads from `url` (see the `replay` request). */
  async replay(url: string, events: number, timeoutMs: number): Promise<ReplayReport> {
    const { report } = await this.#members[0].request(
      { type: 'replay', url, events, timeoutMs },
      'replayed',
      timeoutMs + REQUEST_TIMEOUT_MS,
    );
    return report;
  }
}

/** The reports of processes that shared a step's subscribers, as one. */
export function mergeStepReports(reports: readonly StepReport[]): StepReport {
  if (reports.length === 0) throw new RangeError('no reports to merge');
  const deliveries = reports.map((report) => report.delivery);
  const delivery = Object.fromEntries(
    (Object.keys(deliveries[0]) as (keyof DeliverySummary)[]).map((field) => [
      field,
      sum(deliveries.map((entry) => entry[field])),
    ]),
  ) as unknown as DeliverySummary;
  const latencyCounts = reports[0].latencyCounts.map((_, bucket) =>
    sum(reports.map((report) => report.latencyCounts[bucket])),
  );
  const received = reports.filter((report) => report.messages > 0);
  return {
    delivery,
    latencyCounts,
    latencyMax: Math.max(...reports.map((report) => report.latencyMax)),
    messages: sum(reports.map((report) => report.messages)),
    windowMessages: sum(reports.map((report) => report.windowMessages)),
    bytes: sum(reports.map((report) => report.bytes)),
    firstMessageAtMs:
      received.length > 0 ? Math.min(...received.map((report) => report.firstMessageAtMs)) : 0,
    lastMessageAtMs: received.length > 0 ? Math.max(...received.map((report) => report.lastMessageAtMs)) : 0,
    drainMs: Math.max(...reports.map((report) => report.drainMs)),
    cpuPercent: sum(reports.map((report) => report.cpuPercent)),
    runQueueWaitPercent: Math.max(...reports.map((report) => report.runQueueWaitPercent)),
    closed: sum(reports.map((report) => report.closed)),
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
