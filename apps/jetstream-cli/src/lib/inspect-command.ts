import { readFrameLog } from '@jetstream-ts/frames';
import type { CliIo } from './cli-io.js';
import { FrameLogInspector } from './frame-log-inspector.js';
import { formatInspectReport } from './inspect-table.js';
import { plainLogSize } from './log-file.js';
import { startLogProgress, type LogPosition } from './progress.js';
import { checkFramesDecoded, readErrorOutcome, reportOutcome, type ReadOutcome } from './read-outcome.js';

export interface InspectOptions {
  /** Machine-readable output: one JSON object on stdout. */
  json?: boolean;
}

/**
 * `jetstream inspect`: statistics of a frame log (frames by type, ops by action, top
 * collections, frame and event sizes, decode failures by frame index) as a table or JSON on
 * stdout. Same exit codes as `convert`.
 */
export async function runInspect(path: string, options: InspectOptions, io: CliIo): Promise<number> {
  const inspector = new FrameLogInspector();
  const position: LogPosition = { logBytes: 0, frames: 0, events: 0 };
  const progress = startLogProgress(io.stderr, plainLogSize(path));
  const outcome = await new Promise<ReadOutcome>((resolve) =>
    readFrameLog(path).subscribe({
      next: (frame) => {
        inspector.addFrame(frame);
        position.logBytes += 4 + frame.length;
        position.frames++;
        position.events = inspector.events;
        progress.update(position);
      },
      error: (error: unknown) => resolve(readErrorOutcome(path, error)),
      complete: () => resolve({ kind: 'complete' }),
    }),
  );
  progress.stop();

  const report = inspector.report();
  const decodedFrames = report.frames - (report.framesByType['invalid'] ?? 0);
  const settled = checkFramesDecoded(path, outcome, report.frames, decodedFrames);
  const exitCode = reportOutcome(settled, io.stderr);
  if (exitCode !== 0) return exitCode;
  const truncated = settled.kind === 'truncated';
  io.stdout.write(
    options.json
      ? JSON.stringify({ path, truncated, ...report }, null, 2) + '\n'
      : formatInspectReport(path, report) + '\n',
  );
  return 0;
}
