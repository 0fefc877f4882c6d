import { describeRecordProgress, describeRecordSummary, recordRelay, type RecordRelayOptions } from '@jetstream-ts/upstream';
import type { HarnessIo } from './harness-io.js';
import { createProgressLine } from './progress-line.js';

/** The command's options: the recorder's, with `--duration` in seconds. */
export type RecordCommandOptions = Pick<RecordRelayOptions, 'output' | 'cursor' | 'limit' | 'compress'> & { duration?: number };

/** `jetstream-harness record`: the recorder of `@jetstream-ts/upstream`; returns the exit code. */
export async function runRecord(relay: string, options: RecordCommandOptions, io: HarnessIo): Promise<number> {
  const progress = createProgressLine(io.stderr);
  const startedAt = performance.now();
  try {
    const summary = await recordRelay(relay, {
      ...options,
      durationMs: options.duration === undefined ? undefined : options.duration * 1000,
      stop: io.stop,
      onProgress: (position) => progress.update(() => describeRecordProgress(position, performance.now() - startedAt)),
    });
    progress.done();
    io.stderr.write(`${describeRecordSummary(summary, options.output)}\n`);
    return 0;
  } catch (error) {
    progress.done();
    io.stderr.write(`error: ${(error as Error).message}\n`);
    return 1;
  }
}
