import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { CliIo } from './cli-io.js';
import { runConvert } from './convert-command.js';
import { runInspect } from './inspect-command.js';
import { collect, integerAtLeast, parseDuration, parseJetstreamUrl } from './option-parsers.js';
import { runRecord, type RecordCommandOptions } from './record-command.js';
import { runStats, type StatsCommandOptions } from './stats-command.js';
import { runSubscribe, type SubscribeCommandOptions } from './subscribe-command.js';

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
    .description('Jetstream tools: watch, record and convert Jetstream and relay firehose streams')
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

  const urlArgument = '<url>';
  const urlHelp = 'Jetstream server: ws://, wss://, http(s):// (a bare host gets /subscribe)';
  program
    .command('subscribe')
    .description('Print a Jetstream server\'s events on stdout, one per line (status and reconnects on stderr)')
    .argument(urlArgument, urlHelp, parseJetstreamUrl)
    .option('--collection <nsid>', 'only commits in this collection, or prefix.* (repeatable)', collect)
    .option('--did <did>', 'only events of this repo (repeatable)', collect)
    .addOption(new Option('--cursor <time_us>', 'start at this time_us, inclusive (0: all the server keeps)').argParser(integerAtLeast(0)).conflicts('since'))
    .addOption(new Option('--since <duration>', 'start this long ago by the local clock: 30s, 5m, 2h').argParser(parseDuration))
    .option('--compress', 'zstd on the wire (v1 dictionary), decoded here')
    .option('--limit <n>', 'exit 0 after n events', integerAtLeast(1))
    .addOption(new Option('--format <format>', 'jsonl: the v1 JSON as received; pretty: one readable line').choices(['jsonl', 'pretty']).default('jsonl'))
    .addHelpText(
      'after',
      `
Reconnects by itself (backoff with jitter, 250 ms doubling to 30 s) from the time_us of the last
event printed, dropping the one event the inclusive cursor repeats: across disconnects and
server restarts every event is printed once, in order. Exit status: 0 after --limit or Ctrl-C;
1 when the first connection fails or the server refuses the request (its HTTP 400 text is shown).

Examples:
  jetstream subscribe wss://jetstream.example --collection app.bsky.feed.post --limit 10
  jetstream subscribe ws://127.0.0.1:6008 --since 5m --compress --format pretty`,
    )
    .action(async (url: string, options: SubscribeCommandOptions) => {
      exitCode = await runSubscribe(url, options, io);
    });

  program
    .command('record')
    .description('Capture a relay firehose (subscribeRepos) into a frame log, with progress on stderr')
    .argument('<relay-url>', 'ws:// or wss:// subscribeRepos URL (a bare ws://host:port gets the XRPC path)')
    .requiredOption('-o, --output <log>', 'frame log to write')
    .option('--cursor <seq>', 'start after this relay seq (replaces the URL query)', integerAtLeast(0))
    .addOption(new Option('--limit <n>', 'stop after n frames').argParser(integerAtLeast(1)).conflicts('duration'))
    .addOption(new Option('--duration <duration>', 'stop after this long: 30s, 5m, 2h').argParser(parseDuration))
    .option('--compress', 'zstd-compress the log')
    .addHelpText(
      'after',
      `
Stops cleanly (the log is whole and flushed) at the limit, the duration, Ctrl-C, or when the
relay closes the connection, and prints the last seq to resume with --cursor. Read the log with
\`jetstream convert\` or \`jetstream inspect\`. Exit status: 0 when it stopped, 1 when the relay
cannot be reached.

Example:
  jetstream record wss://relay.example -o capture.log --duration 5m`,
    )
    .action(async (relay: string, options: RecordCommandOptions) => {
      exitCode = await runRecord(relay, options, io);
    });

  program
    .command('stats')
    .description('Live view of a Jetstream server: events/s overall and per collection, bytes/s, lag, reconnects')
    .argument(urlArgument, urlHelp, parseJetstreamUrl)
    .option('--collection <nsid>', 'only commits in this collection, or prefix.* (repeatable)', collect)
    .option('--cursor <time_us>', 'start at this time_us, inclusive (stats of a replay)', integerAtLeast(0))
    .option('--compress', 'zstd on the wire (bytes/s then counts compressed bytes)')
    .option('--interval <duration>', 'time between updates', parseDuration, 1000)
    .option('--top <n>', 'collections to list', integerAtLeast(1), 10)
    .addHelpText(
      'after',
      `
Redrawn in place on a terminal; one line per interval on a pipe or file. Lag is the wall clock
minus the last event's time_us. Runs until Ctrl-C (exit 0); exit 1 when the server cannot be
reached or refuses the request.

Example:
  jetstream stats ws://127.0.0.1:6008 --interval 5s`,
    )
    .action(async (url: string, options: StatsCommandOptions) => {
      exitCode = await runStats(url, options, io);
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
