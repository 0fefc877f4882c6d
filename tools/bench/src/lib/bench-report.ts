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

export interface ContestantResult {
  id: string;
  name: string;
  /** Frames per second of the median round. */
  framesPerSecond: number;
  /** Frames per second of each timed round, in round order. */
  roundsFramesPerSecond: number[];
  outputBytesPerPass: number;
}

export interface RatioResult extends RatioGoal {
  ratio: number;
  met: boolean;
}

export interface BenchReport {
  input: string;
  frames: number;
  rounds: number;
  warmupRounds: number;
  results: ContestantResult[];
  ratios: RatioResult[];
}

/** Turns round timings into frames/s (median over rounds) and checks the ratios against goals. */
export function buildBenchReport(
  timings: readonly ContestantTimings[],
  run: { input: string; frames: number; rounds: number; warmupRounds: number },
  goals: readonly RatioGoal[] = INGEST_GOALS,
): BenchReport {
  const results = timings.map(({ contestant, roundsMs, outputBytes }) => ({
    id: contestant.id,
    name: contestant.name,
    framesPerSecond: (run.frames * 1000) / median(roundsMs),
    roundsFramesPerSecond: roundsMs.map((ms) => (run.frames * 1000) / ms),
    outputBytesPerPass: outputBytes,
  }));
  const speed = new Map(results.map((result) => [result.id, result.framesPerSecond]));
  const ratios = goals
    .filter((goal) => speed.has(goal.numerator) && speed.has(goal.denominator))
    .map((goal) => {
      const ratio = (speed.get(goal.numerator) as number) / (speed.get(goal.denominator) as number);
      return { ...goal, ratio, met: ratio >= goal.goal };
    });
  return { ...run, results, ratios };
}

/** The report as a plain-text table followed by the ratios and whether each goal is met. */
export function formatBenchReport(report: BenchReport): string {
  const rows = report.results.map((result) => [
    `(${result.id}) ${result.name}`,
    Math.round(result.framesPerSecond).toLocaleString('en-US'),
    `${Math.round(Math.min(...result.roundsFramesPerSecond)).toLocaleString('en-US')}..${Math.round(
      Math.max(...result.roundsFramesPerSecond),
    ).toLocaleString('en-US')}`,
    result.outputBytesPerPass.toLocaleString('en-US'),
  ]);
  const header = ['pipeline', 'frames/s (median)', 'range over rounds', 'output bytes/pass'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  const ratioLines = report.ratios.map(
    (ratio) =>
      `(${ratio.numerator})/(${ratio.denominator}) = ${ratio.ratio.toFixed(2)}x  goal >= ${ratio.goal}x  ${ratio.met ? 'met' : 'NOT met'}`,
  );
  return [
    `input: ${report.input}`,
    `${report.frames.toLocaleString('en-US')} frames per round, ${report.warmupRounds} warm-up + ${report.rounds} timed rounds, interleaved, one process`,
    '',
    line(header),
    ...rows.map(line),
    '',
    ...ratioLines,
  ].join('\n');
}
