import { describeRecordProgress, describeRecordSummary, recordRelay, type RecordRelayOptions } from '@jetstream-ts/upstream';
import type { CliIo } from './cli-io.js';
import { createLiveDisplay } from './live-display.js';

/** The command's options: the recorder's, with `--duration` in milliseconds. */
export type RecordCommandOptions = Pick<RecordRelayOptions, 'output' | 'cursor' | 'limit' | 'compress'> & { duration?: number };

/**
 * `jetstream record`: a relay's frames into a frame log, with progress on stderr (redrawn on a
 * terminal, a line every 5 s otherwise) and a closing line naming the cursor to resume from.
 * Returns the exit code: 0 when it stopped (limit, duration, Ctrl-C, relay closed), 1 when the
 * relay cannot be reached.
 */
export async function runRecord(relay: string, options: RecordCommandOptions, io: CliIo): Promise<number> {
  const display = createLiveDisplay(io.stderr, { intervalMs: io.stderr.isTTY ? 250 : 5000 });
  const startedAt = performance.now();
  try {
    const summary = await recordRelay(relay, {
      ...options,
      durationMs: options.duration,
      stop: io.stop,
      onProgress: (progress) => display.show(() => [describeRecordProgress(progress, performance.now() - startedAt)]),
    });
    display.done({ clear: true });
    io.stderr.write(`${describeRecordSummary(summary, options.output)}\n`);
    return 0;
  } catch (error) {
    display.done({ clear: true });
    io.stderr.write(`error: ${(error as Error).message}\n`);
    return 1;
  }
}
