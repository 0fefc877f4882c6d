import { Command, CommanderError, Option } from 'commander';
import { PDS_SCRIPT_NAMES } from '@jetstream-ts/test-pds';
import type { HarnessIo } from './harness-io.js';
import { collect, integerAtLeast, positiveNumber } from './option-parsers.js';
import { runPds, type PdsCommandOptions } from './pds-command.js';
import { runRecord, type RecordCommandOptions } from './record-command.js';
import { runRelay, type RelayCommandOptions } from './relay-command.js';
import { runSynth, type SynthCommandOptions } from './synth-command.js';

/**
 * The `jetstream-harness` command line. Each command reports its exit code through `run`;
 * commander's own errors (unknown option, bad number) and `--help` end it with commander's code.
 */
export function createProgram(io: HarnessIo): {
  program: Command;
  run(argv: readonly string[]): Promise<number>;
} {
  let exitCode = 0;
  const program = new Command('jetstream-harness')
    .description(
      'Test harness for jetstream-ts: a fake relay, synthetic traffic, a recorder, a real PDS on loopback',
    )
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError();

  program
    .command('relay')
    .description(
      'Serve frame logs as a relay firehose (subscribeRepos) on loopback; prints its URL on stdout',
    )
    .requiredOption('--frames <log...>', 'frame logs to serve, in order (plain or zstd-compressed)', collect)
    .option('--port <n>', 'port to listen on (0 picks a free one)', integerAtLeast(0), 0)
    .option('--host <address>', 'interface to listen on', '127.0.0.1')
    .option(
      '--rate <frames-per-second>',
      'pace each connection (default: as fast as the client reads)',
      positiveNumber,
    )
    .option('--loop <n>', 'play the logs n times; later passes get new seqs', integerAtLeast(1), 1)
    .option(
      '--stall-after <n>',
      'stop sending after n frames, keeping the connection open',
      integerAtLeast(0),
    )
    .option(
      '--disconnect-after <n>',
      'drop the connection (no close frame) after n frames',
      integerAtLeast(0),
    )
    .addOption(
      new Option(
        '--error-frame-after <n-name-message...>',
        'after n frames send an error frame {error: name, message} and close',
      ).argParser(collect),
    )
    .option('--corrupt-after <n>', 'after n frames insert a frame whose body is not CBOR', integerAtLeast(0))
    .option('--truncate-after <n>', 'send frame n+1 cut to half its length in its place', integerAtLeast(0))
    .option(
      '--faults-on-first <k>',
      'inject the faults only on the first k connections (default: all)',
      integerAtLeast(1),
    )
    .addHelpText(
      'after',
      `
Cursor semantics: ?cursor=N sends the frames with seq > N, then waits (a live tail); a cursor
above the newest seq gets a FutureCursor error frame and a close; no cursor means "live from now",
which for a replayed log is its beginning. Faults count the frames sent on each connection.

Examples:
  jetstream-harness relay --frames capture.log
  jetstream-harness relay --frames synthetic.log --loop 10 --rate 2000
  jetstream-harness relay --frames a.log --error-frame-after 100 ConsumerTooSlow "too slow" --faults-on-first 1`,
    )
    .action(async (options: RelayCommandOptions) => {
      exitCode = await runRelay(options, io);
    });

  program
    .command('synth')
    .description(
      'Write a realistic, deterministic synthetic frame log (real commit CARs, the real record mix)',
    )
    .requiredOption('-o, --output <log>', 'frame log to write')
    .option('--frames <n>', 'number of frames', integerAtLeast(0), 10_000)
    .option('--seed <seed>', 'same seed, same bytes', 'jetstream')
    .option('--dids <n>', 'number of accounts (activity is Zipf-skewed)', integerAtLeast(1), 1000)
    .option('--first-seq <n>', 'seq of the first frame', integerAtLeast(0))
    .option('--start-time <iso>', 'relay time of the first frame (default 2026-07-01T12:00:00.000Z)')
    .option(
      '--events-per-second <n>',
      'average rate the time fields advance at (default 1500)',
      positiveNumber,
    )
    .option('--compress', 'zstd-compress the log')
    .addHelpText(
      'after',
      `
The mix follows a real relay capture: likes ~69 %, posts ~11 %, reposts ~10 %, follows ~6 %,
blocks, other lexicons, ~3 % deletes and ~1 % updates, ~1 % identity and account frames. Posts
carry facets, langs, replies, image blobs and non-ASCII and <>& text.

Example:
  jetstream-harness synth -o synthetic.log --frames 100000 --seed 7 --dids 5000`,
    )
    .action(async (options: SynthCommandOptions) => {
      exitCode = await runSynth(options, io);
    });

  program
    .command('record')
    .description('Capture a relay firehose into a frame log (progress on stderr when it is a terminal)')
    .argument('<relay-url>', 'ws:// or wss:// subscribeRepos URL (a bare ws://host:port gets the XRPC path)')
    .requiredOption('-o, --output <log>', 'frame log to write')
    .option('--cursor <n>', 'start after this seq (replaces the URL query)', integerAtLeast(0))
    .option('--limit <n>', 'stop after n frames', integerAtLeast(1))
    .option('--duration <seconds>', 'stop after this many seconds', positiveNumber)
    .option('--compress', 'zstd-compress the log')
    .addHelpText(
      'after',
      `
Stops cleanly (the log is whole and flushed) at the limit, the duration, Ctrl-C, or when the
relay closes the connection; prints the last seq, to resume with --cursor.

Example:
  jetstream-harness record ws://127.0.0.1:2470 -o capture.log --cursor 0 --limit 5000`,
    )
    .action(async (relay: string, options: RecordCommandOptions) => {
      exitCode = await runRecord(relay, options, io);
    });

  program
    .command('pds')
    .description(
      'Run a real PDS on loopback, drive scripted activity on it, print its subscribeRepos URL on stdout',
    )
    .option('--port <n>', 'PDS port (default: a free one)', integerAtLeast(1))
    .option('--plc-port <n>', 'PLC directory port (default: a free one)', integerAtLeast(1))
    .addOption(
      new Option('--script <name>', 'activity to drive').choices(PDS_SCRIPT_NAMES).default('default'),
    )
    .option('--expectations <file>', 'write the expected Jetstream events (and the accounts) as JSON')
    .addHelpText(
      'after',
      `
Uses @atproto/dev-env 0.3.215 (a PDS and an in-memory PLC directory; .test handles, no DNS, no
network). Its files live in a scratch folder deleted on exit. The "default" script: three
sign-ups, profile create and update, posts with facets, langs and an image blob, a reply, like,
repost, follows, a block, a non-Bluesky record, a delete, a handle change, a deactivation.
Replay it all with ?cursor=0. Runs until Ctrl-C.

Example:
  jetstream-harness pds --expectations /tmp/expected.json`,
    )
    .action(async (options: PdsCommandOptions) => {
      exitCode = await runPds(options, io);
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
