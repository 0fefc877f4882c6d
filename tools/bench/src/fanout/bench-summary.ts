import { CLUSTER_HEADER, clusterGoals, clusterRows, describePublishCeiling, type ClusterResult, type ClusterSkipped } from '../cluster/cluster-summary.js';
import type { ReplayRun } from '../replay/run-replay.js';
import type { StorageFill, StorageTrim } from '../storage/run-storage.js';
import type { FanoutStepResult } from './fanout-step.js';
import type { FanoutResult } from './run-fanout.js';
import { count, fixed, megabytes } from '../lib/number-format.js';

/** The parts of the ingest benchmark's JSON report (`bench:ingest --json`) the summary shows. */
export interface IngestSummary {
  results: {
    id: string;
    name: string;
    framesPerSecond: { median: number };
    framesPerCpuSecond: { median: number };
  }[];
  ratios: {
    numerator: string;
    denominator: string;
    goal: number;
    ratio: number;
    met: boolean;
    cpuRatio: number;
    cpuMet: boolean;
  }[];
}

/** Everything `npm run bench` measured, as written to its JSON file. */
export interface BenchResult {
  date: string;
  machine: string;
  /** 1-minute load average when the run started and when it ended (the machine may be shared). */
  loadAverage: { start: number; end: number };
  quick: boolean;
  /** Seconds the whole run took. */
  seconds: number;
  ingest?: IngestSummary;
  fanout?: FanoutResult;
  /** 1 ingester + edges on NATS, or why it was skipped. */
  cluster?: ClusterResult | ClusterSkipped;
  replay?: ReplayRun[];
  storage?: { fill: StorageFill; trim?: StorageTrim };
  /** Phases that failed, with the error. */
  errors: { phase: string; message: string }[];
  goals: GoalCheck[];
}

export interface GoalCheck {
  goal: string;
  /** What was measured, in words; `met` undefined when it was not measured. */
  measured: string;
  met: boolean | undefined;
}

/** The goals for a 2-core machine. */
export const GOALS = {
  subscribers: 1000,
  framesPerSecond: 2000,
  maxP99Ms: 250,
  maxRssBytes: 256 * 1024 * 1024,
  minReplayEventsPerSecond: 100_000,
  maxBytesPerEvent: 300,
} as const;


/** Checks each goal against what was measured (goals a run did not reach say so). */
export function checkGoals(result: Omit<BenchResult, 'goals'>): GoalCheck[] {
  const checks: GoalCheck[] = [];
  for (const ratio of result.ingest?.ratios ?? []) {
    checks.push({
      goal: `ingest (${ratio.numerator})/(${ratio.denominator}) >= ${ratio.goal}x`,
      measured: `${fixed(ratio.ratio, 2)}x wall, ${fixed(ratio.cpuRatio, 2)}x CPU`,
      met: ratio.met || ratio.cpuMet,
    });
  }
  const target = result.fanout?.steps.find(
    (step) => step.subscribers === GOALS.subscribers && step.targetFramesPerSecond === GOALS.framesPerSecond,
  );
  const fanoutGoal = `${GOALS.subscribers} subscribers at ${GOALS.framesPerSecond}/s`;
  if (target) {
    checks.push({
      goal: `${fanoutGoal}: 0 lost`,
      measured: `${count(target.delivery.lost)} lost`,
      met: target.delivery.lost === 0,
    });
    // Events still on their way at the end have no latency yet: the p99 of the others flatters.
    const late =
      target.delivery.late > 0
        ? ` (${count(target.delivery.late)} events still undelivered after the drain)`
        : '';
    checks.push({
      goal: `${fanoutGoal}: p99 < ${GOALS.maxP99Ms} ms`,
      measured: `p99 ${fixed(target.latencyMs.p99)} ms${late}`,
      met: target.latencyMs.p99 < GOALS.maxP99Ms && target.delivery.late === 0,
    });
    checks.push({
      goal: `${fanoutGoal}: server RSS <= 256 MiB`,
      measured: `${megabytes(target.serverRssMaxBytes)} MiB`,
      met: target.serverRssMaxBytes <= GOALS.maxRssBytes,
    });
  } else {
    checks.push({ goal: fanoutGoal, measured: 'not run (quick run, time limit or failure)', met: undefined });
  }
  if (result.fanout?.workers) checks.push(...workersGoals(result.fanout.workers, result.fanout.steps));
  if (result.cluster && 'skipped' in result.cluster)
    checks.push({ goal: 'cluster', measured: `skipped: ${result.cluster.skipped}`, met: undefined });
  else if (result.cluster) checks.push(...clusterGoals(result.cluster, result.fanout?.steps));
  const jsonReplay = result.replay?.find((run) => run.encoding === 'json');
  checks.push({
    goal: `replay >= ${count(GOALS.minReplayEventsPerSecond)} events/s`,
    measured: jsonReplay ? `${count(jsonReplay.eventsPerSecond)} events/s (JSON)` : 'not run',
    met: jsonReplay
      ? jsonReplay.eventsPerSecond >= GOALS.minReplayEventsPerSecond && !jsonReplay.timedOut
      : undefined,
  });
  const fill = result.storage?.fill;
  checks.push({
    goal: `storage <= ${GOALS.maxBytesPerEvent} bytes/event`,
    measured: fill
      ? `${fixed(fill.bytesPerEvent)} bytes/event after ${count(fill.events)} events`
      : 'not run',
    met: fill ? fill.bytesPerEvent <= GOALS.maxBytesPerEvent : undefined,
  });
  return checks;
}

/**
 * The goals for the `--workers` step: nothing lost, the subscribers split evenly (each
 * worker within 10 % of its fair share), and server CPU per delivered
 * message (primary + workers) no worse than one process's in the same run, same step.
 */
function workersGoals(workers: FanoutStepResult, steps: readonly FanoutStepResult[]): GoalCheck[] {
  const single = steps.find((step) => step.subscribers === workers.subscribers && step.targetFramesPerSecond === workers.targetFramesPerSecond);
  const name = `--workers ${workers.workers ?? '-'}, ${count(workers.subscribers)} subscribers at ${count(workers.targetFramesPerSecond)}/s`;
  const split = workers.subscribersPerWorker ?? [];
  const fairShare = workers.subscribers / Math.max(1, split.length);
  return [
    { goal: `${name}: 0 lost`, measured: `${count(workers.delivery.lost)} lost`, met: workers.delivery.lost === 0 },
    {
      goal: `${name}: subscribers split evenly`,
      measured: split.length > 0 ? `${split.join('/')} per worker` : 'not measured',
      met: split.length > 0 ? split.every((share) => Math.abs(share - fairShare) <= 0.1 * fairShare) : undefined,
    },
    {
      goal: `${name}: server CPU µs/msg <= one process's`,
      measured: `${fixed(workers.serverCpuUsPerMessage, 2)} vs ${single ? fixed(single.serverCpuUsPerMessage, 2) : '-'}`,
      met: single ? workers.serverCpuUsPerMessage <= single.serverCpuUsPerMessage : undefined,
    },
  ];
}

/**
 * The line under a table that says what its CPU figures cover: the measured window, after the
 * warm-up with the subscribers connected (left out), and the drain.
 */
export function windowNote(steps: readonly Pick<FanoutStepResult, 'seconds' | 'warmupSeconds'>[]): string {
  if (steps.length === 0) return '';
  const warmups = [...new Set(steps.map((step) => fixed(step.warmupSeconds, 0)))].join('/');
  const seconds = fixed(Math.min(...steps.map((step) => step.seconds)), 0);
  return (
    `\n  CPU %, CPU µs/msg, events/s: the measured window (${seconds}+ s of traffic and the drain), after ${warmups} s of warm-up ` +
    'traffic with the subscribers connected, which the window excludes; p50/p99, lost, late, out MiB/s, msgs/s: the whole step, warm-up included'
  );
}

/** A plain-text table: first column left-aligned, the others right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

function fanoutRows(steps: readonly FanoutStepResult[]): string[][] {
  return steps.map((step) => [
    step.workers ? `${step.server}, ${step.workers} workers` : step.server,
    count(step.subscribers),
    count(step.eventsPerSecond),
    fixed(step.latencyMs.p50),
    fixed(step.latencyMs.p99),
    count(step.delivery.lost),
    count(step.delivery.late),
    fixed(step.serverCpuPercent, 0),
    megabytes(step.serverRssMaxBytes),
    megabytes(step.bytesPerSecondOut),
    count(step.messagesPerSecondOut),
    fixed(step.serverCpuUsPerMessage, 2),
    fixed(step.loadGeneratorCpuPercent, 0),
    `${fixed(step.serverRunQueueWaitPercent, 0)}/${fixed(step.loadGeneratorRunQueueWaitPercent, 0)}`,
    step.behind.length === 0 ? 'yes' : 'NO',
  ]);
}

/** The whole run as text: machine, one section per phase, then the goals. */
export function formatBenchSummary(result: BenchResult): string {
  const sections: string[] = [
    `machine: ${result.machine}`,
    `load average (1 min): ${fixed(result.loadAverage.start, 2)} at start, ${fixed(result.loadAverage.end, 2)} at end; ` +
      `${result.quick ? 'quick run' : 'full run'}, ${count(result.seconds)} s`,
  ];
  if (result.ingest) {
    sections.push(
      '1. ingest (frames/s, median round)\n' +
        formatTable(
          ['pipeline', 'wall', 'CPU'],
          result.ingest.results.map((row) => [
            `(${row.id}) ${row.name}`,
            count(row.framesPerSecond.median),
            count(row.framesPerCpuSecond.median),
          ]),
        ),
    );
  }
  const fanout = result.fanout;
  if (fanout) {
    const steps = [...fanout.steps, ...fanout.ramp, ...(fanout.workers ? [fanout.workers] : []), ...(fanout.naive ? [fanout.naive] : [])];
    sections.push(
      '2. fan-out (relay send -> subscriber receive; mix 60 % zstd, 30 % collection filters, 10 % DID filters)\n' +
        formatTable(
          [
            'server',
            'subs',
            'events/s',
            'p50 ms',
            'p99 ms',
            'lost',
            'late',
            'CPU %',
            'RSS MiB',
            'out MiB/s',
            'msgs/s',
            'CPU µs/msg',
            'loadgen CPU %',
            'CPU wait % srv/lg',
            'kept up',
          ],
          fanoutRows(steps),
        ) +
        windowNote(steps) +
        steps
          .filter((step) => step.behind.length > 0)
          .map(
            (step) =>
              `\n  ${step.server} N=${step.subscribers} @${step.targetFramesPerSecond}/s behind: ${step.behind.join('; ')}`,
          )
          .join('') +
        (fanout.maxKeptUpRate !== undefined
          ? `\n  fastest ramp step that kept up: ${count(fanout.maxKeptUpRate)} frames/s with ${count(fanout.ramp[0].subscribers)} subscribers`
          : ''),
    );
  }
  const cluster = result.cluster;
  if (cluster && 'skipped' in cluster) sections.push(`3. cluster: SKIPPED, ${cluster.skipped}`);
  else if (cluster) {
    sections.push(
      `3. cluster (1 ingester + edges as processes on ${cluster.natsServer}; relay -> ingester -> NATS -> edge -> subscriber; ` +
        'CPU µs/msg: ingester + edges, nats-server apart)\n' +
        formatTable(CLUSTER_HEADER, clusterRows(cluster.steps)) +
        windowNote(cluster.steps) +
        cluster.steps
          .filter((step) => step.behind.length > 0)
          .map((step) => `\n  cluster N=${step.subscribers} @${step.targetFramesPerSecond}/s behind: ${step.behind.join('; ')}`)
          .join('') +
        (cluster.publishCeiling ? `\n  ${describePublishCeiling(cluster.publishCeiling)}` : ''),
    );
  }
  if (result.replay) {
    sections.push(
      '4. replay (one subscriber, /subscribe?cursor=0 on the server, every stored event)\n' +
        formatTable(
          ['encoding', 'events', 'events/s', 'server CPU %', 'in order', 'timed out'],
          result.replay.map((run) => [
            run.encoding,
            count(run.events),
            count(run.eventsPerSecond),
            fixed(run.server.cpuPercent, 0),
            run.encoding === 'json' ? (run.ordered ? 'yes' : 'NO') : '-',
            run.timedOut ? 'YES' : 'no',
          ]),
        ),
    );
  }
  const storage = result.storage;
  if (storage) {
    const rows = [
      [
        `after ${count(storage.fill.events)} events`,
        count(storage.fill.disk.allocatedBytes),
        fixed(storage.fill.bytesPerEvent),
      ],
    ];
    if (storage.trim) {
      rows.push([
        `after TTL cleanup (${count(storage.trim.retained)} kept), file`,
        count(storage.trim.disk.allocatedBytes),
        fixed(storage.trim.diskBytesPerRetainedEvent),
      ]);
      rows.push(['after TTL cleanup, pages in use', '-', fixed(storage.trim.liveBytesPerRetainedEvent)]);
      if (storage.trim.refill) {
        rows.push([
          `after writing ${count(storage.trim.refill.events)} more`,
          count(storage.trim.refill.disk.allocatedBytes),
          fixed(storage.trim.refill.bytesPerEvent),
        ]);
      }
    }
    sections.push(
      `5. storage (lmdb store on disk; mean event ${fixed(storage.fill.meanJsonBytes, 0)} B JSON, ${fixed(storage.fill.meanZstdBytes, 0)} B zstd)\n` +
        formatTable(['', 'bytes on disk', 'bytes/event'], rows),
    );
  }
  for (const error of result.errors) sections.push(`${error.phase} FAILED: ${error.message}`);
  sections.push(
    'goals\n' +
      result.goals
        .map(
          (check) =>
            `  ${check.met === undefined ? 'n/a ' : check.met ? 'met ' : 'MISS'}  ${check.goal}: ${check.measured}`,
        )
        .join('\n'),
  );
  return sections.join('\n\n');
}
