import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { CliIo } from './cli-io.js';
import { runConvert } from './convert-command.js';
import { runInspect } from './inspect-command.js';

const EXIT_CODES = `
Exit status: 0 when the log was read, even if some input was dropped (see the summary on
stderr) or the file ends inside its last record or its zstd stream breaks off (a recorder
stopped mid-write: the whole frames before are used and a warning is printed). 1 when the file is missing or unreadable, is not a frame log
(its first record length is absurd, or no record decodes as a relay frame), or is corrupt in the
middle. A frame log is [u32 little-endian length][frame]... records, optionally zstd-compressed
as a whole.`;

function parseTimeUs(value: string): number {
  const timeUs = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(timeUs) || timeUs < 1) {
    throw new InvalidArgumentError('expected a positive integer (Unix microseconds)');
  }
  return timeUs;
}

/**
 * The `jetstream` command line. Commands report their exit code through `run`; commander's own
 * errors (unknown option, missing argument) and `--help` end it with commander's code.
 */
export function createProgram(io: CliIo): {
  program: Command;
  run(argv: readonly string[]): Promise<number>;
} {
  let exitCode = 0;
  const program = new Command('jetstream')
    .description('Jetstream tools: turn recorded relay firehose frames into Jetstream v1 events')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(add --help for usage)');

  program
    .command('convert')
    .description('Convert a frame log to Jetstream v1 JSON lines, one event per line, in frame order')
    .argument('<frame-log>', 'frame log file (plain or zstd-compressed)')
    .option('-o, --output <file>', 'write the JSON lines to this file instead of stdout')
    .option(
      '--start-time-us <N>',
      'number events N, N+1, ... instead of stamping the wall clock',
      parseTimeUs,
    )
    .addHelpText(
      'after',
      `
Events go through the server's own operators (decodeFrames, toJetstreamEvents, sequence,
encodeEvent), so each line is exactly what a v1 subscriber would receive. A summary of dropped
input (by stage and reason) goes to stderr, and a progress bar too when stderr is a terminal.
${EXIT_CODES}`,
    )
    .action(async (path: string, options: { output?: string; startTimeUs?: number }) => {
      exitCode = await runConvert(path, options, io);
    });

  program
    .command('inspect')
    .description('Statistics of a frame log: frame types, ops, collections, sizes, decode failures')
    .argument('<frame-log>', 'frame log file (plain or zstd-compressed)')
    .option('--json', 'print one machine-readable JSON object instead of tables')
    .addHelpText(
      'after',
      `
Reports frames by type, commit ops by action, the top collections, bytes per frame and per event
(v1 JSON, and zstd with the v1 dictionary: min/avg/p50/p99/max) and every decode failure with its
frame index (position in the log, from 0) and reason.
${EXIT_CODES}`,
    )
    .action(async (path: string, options: { json?: boolean }) => {
      exitCode = await runInspect(path, options, io);
    });

  const run = async (argv: readonly string[]) => {
    exitCode = 0;
    try {
      await program.parseAsync([...argv], { from: 'user' });
      return exitCode;
    } catch (error) {
      if (error instanceof CommanderError) return error.exitCode;
      throw error;
    }
  };
  return { program, run };
}
