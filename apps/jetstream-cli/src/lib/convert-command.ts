import { tap } from 'rxjs';
import { decodeFrames, readFrameLog } from '@jetstream-ts/frames';
import { encodeEvent, toJetstreamEvents } from '@jetstream-ts/mapping';
import { sequence } from '@jetstream-ts/sequencing';
import type { CliIo } from './cli-io.js';
import { CountingDropReporter } from './counting-drop-reporter.js';
import { formatDropCounts } from './drop-summary.js';
import { openEventOutput, type EventOutput } from './event-output.js';
import { plainLogSize } from './log-file.js';
import { startLogProgress, type LogPosition } from './progress.js';
import { checkFramesDecoded, readErrorOutcome, reportOutcome, type ReadOutcome } from './read-outcome.js';

export interface ConvertOptions {
  /** Write the JSON lines here instead of stdout. */
  output?: string;
  /** Number events `startTimeUs`, `startTimeUs + 1`, … instead of stamping the wall clock. */
  startTimeUs?: number;
}

/**
 * `jetstream convert`: a frame log to v1 JSON lines, one event per line, in frame order, through
 * the server's operators (decodeFrames → toJetstreamEvents → sequence → encodeEvent). Prints a
 * summary of dropped input on stderr. Returns the exit code: 0 when the log was read (even with
 * drops, or cut short inside its last record), 1 when it could not be read or is no frame log.
 */
export async function runConvert(path: string, options: ConvertOptions, io: CliIo): Promise<number> {
  let output: EventOutput;
  try {
    output = openEventOutput(options.output, io.stdout);
  } catch (error) {
    io.stderr.write(`jetstream: cannot write ${options.output}: ${(error as Error).message}\n`);
    return 1;
  }
  const drops = new CountingDropReporter();
  const position: LogPosition = { logBytes: 0, frames: 0, events: 0 };
  let decodedFrames = 0;
  const progress = startLogProgress(io.stderr, plainLogSize(path));
  const numbering =
    options.startTimeUs === undefined ? {} : { after: options.startTimeUs - 1, clock: () => 0 };

  const outcome = await new Promise<ReadOutcome | { kind: 'write-error'; error: NodeJS.ErrnoException }>(
    (resolve) => {
      const subscription = readFrameLog(path)
        .pipe(
          tap((frame) => {
            position.logBytes += 4 + frame.length;
            position.frames++;
          }),
          decodeFrames({ drops }),
          tap((frame) => {
            if (frame.type !== 'invalid') decodedFrames++;
            progress.update(position);
          }),
          toJetstreamEvents({ drops }),
          sequence(numbering),
          encodeEvent(),
        )
        .subscribe({
          next: (event) => {
            output.lines.writeLine(event.json);
            position.events++;
          },
          error: (error: unknown) => resolve(readErrorOutcome(path, error)),
          complete: () => resolve({ kind: 'complete' }),
        });
      output.onWriteError((error) => {
        subscription.unsubscribe();
        resolve({ kind: 'write-error', error });
      });
    },
  );
  progress.stop();
  output.close();

  if (outcome.kind === 'write-error') {
    // The reader went away (`| head`): what it wanted was delivered, nothing to report.
    if (outcome.error.code === 'EPIPE') return 0;
    io.stderr.write(`jetstream: cannot write the events: ${outcome.error.message}\n`);
    return 1;
  }
  const exitCode = reportOutcome(
    checkFramesDecoded(path, outcome, position.frames, decodedFrames),
    io.stderr,
  );
  if (exitCode !== 0) return exitCode;
  const summary = `jetstream: converted ${position.frames} frames into ${position.events} events, dropped ${drops.total}`;
  io.stderr.write([summary, ...formatDropCounts(drops.counts())].join('\n') + '\n');
  return 0;
}
