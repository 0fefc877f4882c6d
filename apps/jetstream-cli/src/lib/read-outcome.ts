import { FrameLogError } from '@jetstream-ts/frames';

/**
 * How reading a frame log ended, from the command's point of view:
 * - `complete`: read to its end;
 * - `truncated`: the file ends inside a record after at least one whole frame, or a compressed
 *   log's zstd stream breaks off after one (what a recorder killed mid-write leaves); the whole
 *   frames are used, the command warns and succeeds;
 * - `fatal`: nothing usable or a corrupt log; the command prints `message` and fails.
 */
export type ReadOutcome =
  { kind: 'complete' } | { kind: 'truncated'; warning: string } | { kind: 'fatal'; message: string };

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
};

/** Turns the error that ended `readFrameLog(path)` into the outcome and its one-line message. */
export function readErrorOutcome(path: string, error: unknown): ReadOutcome {
  if (error instanceof FrameLogError) {
    if (error.frameIndex === 0) {
      const what = error.reason === 'zstd' ? 'corrupt zstd-compressed frame log' : 'not a frame log';
      return { kind: 'fatal', message: `${path}: ${what} (${error.message})` };
    }
    // A killed recorder leaves a plain log cut inside a record, or a zstd stream cut short.
    if (error.reason === 'truncated' || error.reason === 'zstd') {
      return {
        kind: 'truncated',
        warning: `${path}: the log is cut short inside frame ${error.frameIndex} (${error.message}); used the ${error.frameIndex} whole frames before it`,
      };
    }
    return {
      kind: 'fatal',
      message: `${path}: corrupt frame log after ${error.frameIndex} frames (${error.message})`,
    };
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && code in FILE_ERRORS) return { kind: 'fatal', message: `${path}: ${FILE_ERRORS[code]}` };
  return {
    kind: 'fatal',
    message: `${path}: cannot read (${error instanceof Error ? error.message : String(error)})`,
  };
}

/**
 * The outcome once the frames are counted. A log whose records all fail to decode as
 * `subscribeRepos` frames is some other file whose first bytes happen to look like a record
 * length: fatal, rather than "0 events".
 */
export function checkFramesDecoded(
  path: string,
  outcome: ReadOutcome,
  records: number,
  decodedFrames: number,
): ReadOutcome {
  if (outcome.kind === 'fatal' || records === 0 || decodedFrames > 0) return outcome;
  return {
    kind: 'fatal',
    message: `${path}: not a frame log (none of its ${records} records decodes as a subscribeRepos frame)`,
  };
}

/** Prints a fatal outcome's message or a truncation warning on `stderr`; returns the exit code. */
export function reportOutcome(outcome: ReadOutcome, stderr: NodeJS.WritableStream): number {
  if (outcome.kind === 'fatal') {
    stderr.write(`jetstream: ${outcome.message}\n`);
    return 1;
  }
  if (outcome.kind === 'truncated') stderr.write(`jetstream: warning: ${outcome.warning}\n`);
  return 0;
}
