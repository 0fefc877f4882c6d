import { median, type ContestantTimings } from './interleaved-rounds.js';

/** A throughput ratio the project promises: `numerator` must run at least `goal` times `denominator`. */
export interface RatioGoal {
  numerator: string;
  denominator: string;
  goal: number;
}

/** The ingest goals: ours to JSON vs naive and atcute, ours with zstd vs atcute without. */
export const INGEST_GOALS: readonly RatioGoal[] = [
  { numerator: 'c', denominator: 'a', goal: 3 },
  { numerator: 'c', denominator: 'b', goal: 1.2 },
  { numerator: 'd', denominator: 'b', goal: 1 },
];

/** Frames per second by one clock: of the median round, and of every round in order. */
export interface Throughput {
  median: number;
  rounds: number[];
}

export interface ContestantResult {
  id: string;
  name: string;
  /** By wall time. */
  framesPerSecond: Throughput;
  /** By this process's CPU time (steadier on a machine shared with other work). */
  framesPerCpuSecond: Throughput;
  /** Size of one pass's output: characters for the string pipelines, bytes for ours. */
  outputPerPass: number;
}

export interface RatioResult extends RatioGoal {
  /** Of the median wall-time throughputs; `met` compares it with the goal. */
  ratio: number;
  met: boolean;
  /** Of the median CPU-time throughputs. */
  cpuRatio: number;
  cpuMet: boolean;
}

export interface BenchRun {
  input: string;
  /** Where it ran, e.g. `Node v20.20.0, CPUs allowed: 1`. */
  machine: string;
  frames: number;
  rounds: number;
  warmupRounds: number;
}

export interface BenchReport extends BenchRun {
  results: ContestantResult[];
  ratios: RatioResult[];
}

function throughput(frames: number, roundsMs: readonly number[]): Throughput {
  return { median: (frames * 1000) / median(roundsMs), rounds: roundsMs.map((ms) => (frames * 1000) / ms) };
}

/** Turns round timings into frames/s (median over rounds) and checks the ratios against goals. */
export function buildBenchReport(
  timings: readonly ContestantTimings[],
  run: BenchRun,
  goals: readonly RatioGoal[] = INGEST_GOALS,
): BenchReport {
  const results = timings.map(({ contestant, roundsMs, roundsCpuMs, outputBytes }) => ({
    id: contestant.id,
    name: contestant.name,
    framesPerSecond: throughput(run.frames, roundsMs),
    framesPerCpuSecond: throughput(run.frames, roundsCpuMs),
    outputPerPass: outputBytes,
  }));
  const byId = new Map(results.map((result) => [result.id, result]));
  const ratios = goals.flatMap((goal) => {
    const numerator = byId.get(goal.numerator);
    const denominator = byId.get(goal.denominator);
    if (!numerator || !denominator) return [];
    const ratio = numerator.framesPerSecond.median / denominator.framesPerSecond.median;
    const cpuRatio = numerator.framesPerCpuSecond.median / denominator.framesPerCpuSecond.median;
    return [{ ...goal, ratio, met: ratio >= goal.goal, cpuRatio, cpuMet: cpuRatio >= goal.goal }];
  });
  return { ...run, results, ratios };
}

const count = (value: number) => Math.round(value).toLocaleString('en-US');
const range = ({ rounds }: Throughput) => `${count(Math.min(...rounds))}..${count(Math.max(...rounds))}`;
const verdict = (ratio: number, met: boolean) => `${ratio.toFixed(2)}x ${met ? 'met' : 'NOT met'}`;

/** The report as a plain-text table followed by the ratios and whether each goal is met. */
export function formatBenchReport(report: BenchReport): string {
  const header = ['pipeline', 'frames/s wall', 'wall range', 'frames/s CPU', 'CPU range', 'output/pass'];
  const rows = report.results.map((result) => [
    `(${result.id}) ${result.name}`,
    count(result.framesPerSecond.median),
    range(result.framesPerSecond),
    count(result.framesPerCpuSecond.median),
    range(result.framesPerCpuSecond),
    count(result.outputPerPass),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join('  ');
  const ratioLines = report.ratios.map(
    (ratio) =>
      `(${ratio.numerator})/(${ratio.denominator})  goal >= ${ratio.goal}x  wall ${verdict(ratio.ratio, ratio.met)}  CPU ${verdict(ratio.cpuRatio, ratio.cpuMet)}`,
  );
  return [
    `input: ${report.input}`,
    report.machine,
    `${count(report.frames)} frames per round, ${report.warmupRounds} warm-up + ${report.rounds} timed rounds, interleaved, one process; medians over rounds`,
    '',
    line(header),
    ...rows.map(line),
    '(output/pass: JSON characters for the string pipelines, bytes for ours)',
    '',
    ...ratioLines,
  ].join('\n');
}
