import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { loadFixtureInput, loadFrameLogInput, loadSyntheticInput, repeatFrames } from './lib/bench-input.js';
import { buildBenchReport, formatBenchReport } from './lib/bench-report.js';
import { ingestContestants } from './lib/ingest-contestants.js';
import { runInterleavedRounds } from './lib/interleaved-rounds.js';
import { describeMachine } from './lib/machine.js';

// Wiring only: `npm run bench:ingest -- [frame-log] [--json result.json]`.
const positiveInteger = (value: string) => {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1)
    throw new InvalidArgumentError('expected a positive integer');
  return parsed;
};

const program = new Command('bench:ingest')
  .description(
    'Frames/s of four ingest pipelines on the same frames, one process, interleaved rounds (median)',
  )
  .argument('[frame-log]', 'frame log to run on (default: synthetic frames, see --synthetic)')
  .option(
    '--synthetic <n>',
    'without a frame log: this many synthetic frames in the network mix',
    positiveInteger,
    5000,
  )
  .option('--fixtures', 'without a frame log: the real frames of the testkit fixtures instead of synthetic ones')
  .option('--json <path>', 'also write the result as JSON')
  .option('--rounds <n>', 'timed rounds per pipeline', positiveInteger, 9)
  .option('--warmup <n>', 'untimed rounds per pipeline first', positiveInteger, 2)
  .option('--min-frames <n>', 'repeat the frames to at least this many per round', positiveInteger, 5000)
  .parse();

const options = program.opts<{
  json?: string;
  rounds: number;
  warmup: number;
  minFrames: number;
  synthetic: number;
  fixtures?: boolean;
}>();
const [path] = program.args;
const input =
  path !== undefined
    ? loadFrameLogInput(path)
    : options.fixtures
      ? loadFixtureInput()
      : loadSyntheticInput(options.synthetic);
const frames = repeatFrames(input.frames, options.minFrames);
process.stderr.write(
  `${input.description}\nrunning ${options.warmup} warm-up + ${options.rounds} timed rounds of ${frames.length} frames each...\n`,
);
const timings = await runInterleavedRounds(ingestContestants(), frames, {
  warmupRounds: options.warmup,
  rounds: options.rounds,
  onRound: (contestant, round, elapsedMs, cpuMs) => {
    const perSecond = (ms: number) => Math.round((frames.length * 1000) / ms);
    process.stderr.write(
      `  round ${round + 1} (${contestant.id}): ${perSecond(elapsedMs)} frames/s wall, ${perSecond(cpuMs)} CPU\n`,
    );
  },
});
const report = buildBenchReport(timings, {
  input: input.description,
  machine: describeMachine(),
  frames: frames.length,
  rounds: options.rounds,
  warmupRounds: options.warmup,
});
process.stdout.write(formatBenchReport(report) + '\n');
if (options.json)
  writeFileSync(options.json, JSON.stringify({ ...report, date: new Date().toISOString() }, null, 2) + '\n');
