import {
  from,
  identity,
  lastValueFrom,
  map,
  merge,
  NEVER,
  take,
  takeUntil,
  tap,
  timer,
  type Observable,
} from 'rxjs';
import { decodeFrame, writeFrameLog } from '@jetstream-ts/frames';
import { frameSeq } from '@jetstream-ts/models';
import { untilAborted, type HarnessIo } from './harness-io.js';
import { createProgressLine, formatBytes } from './progress-line.js';
import { relayFrames, subscribeReposUrl, type RelayClosed } from './relay-frames.js';

export interface RecordCommandOptions {
  output: string;
  cursor?: number;
  limit?: number;
  /** Seconds. */
  duration?: number;
  compress?: boolean;
}

export interface RecordSummary {
  frames: number;
  bytes: number;
  /** Seq of the last frame that carries one: the cursor to resume from. */
  lastSeq: number | undefined;
  /** Why the capture ended. */
  ended: string;
}

/**
 * Captures a relay's frames into a frame log until `limit` frames, `duration` seconds, the stop
 * signal, or the relay closing, whichever comes first. The log is whole and flushed when the
 * promise resolves.
 */
export async function recordRelay(
  relay: string,
  options: RecordCommandOptions,
  io: Pick<HarnessIo, 'stop'>,
  onFrame: (progress: Omit<RecordSummary, 'ended'>) => void = () => undefined,
): Promise<RecordSummary> {
  const url = subscribeReposUrl(relay, options.cursor);
  let ended = 'limit reached';
  let closed: RelayClosed | undefined;
  const stopped: Observable<string> = merge(
    from(untilAborted(io.stop)).pipe(map(() => 'stopped')),
    options.duration === undefined
      ? NEVER
      : timer(options.duration * 1000).pipe(map(() => `${options.duration} s elapsed`)),
  ).pipe(tap((reason) => (ended = reason)));
  const summary: Omit<RecordSummary, 'ended'> = { frames: 0, bytes: 0, lastSeq: undefined };
  await lastValueFrom(
    relayFrames(url, (close) => (closed = close)).pipe(
      options.limit === undefined ? identity : take(options.limit),
      takeUntil(stopped),
      writeFrameLog(options.output, { compress: options.compress }),
      tap((frame) => {
        summary.frames++;
        summary.bytes += frame.length;
        summary.lastSeq = frameSeq(decodeFrame(frame)) ?? summary.lastSeq;
        onFrame(summary);
      }),
    ),
    { defaultValue: undefined },
  );
  if (closed)
    ended = `relay closed the connection (code ${closed.code}${closed.reason ? `: ${closed.reason}` : ''})`;
  return { ...summary, ended };
}

/** `jetstream-harness record`: returns the exit code. */
export async function runRecord(
  relay: string,
  options: RecordCommandOptions,
  io: HarnessIo,
): Promise<number> {
  const progress = createProgressLine(io.stderr);
  const startedAt = performance.now();
  try {
    const summary = await recordRelay(relay, options, io, ({ frames, bytes, lastSeq }) =>
      progress.update(() => {
        const seconds = (performance.now() - startedAt) / 1000;
        const rate = Math.round(frames / Math.max(seconds, 0.001));
        return `${frames} frames, ${formatBytes(bytes)}, ${rate} frames/s, last seq ${lastSeq ?? 'none'}`;
      }),
    );
    progress.done();
    const resume =
      summary.lastSeq === undefined
        ? ''
        : `; last seq ${summary.lastSeq} (resume with --cursor ${summary.lastSeq})`;
    io.stderr.write(
      `recorded ${summary.frames} frames (${formatBytes(summary.bytes)}) to ${options.output}: ${summary.ended}${resume}\n`,
    );
    return 0;
  } catch (error) {
    progress.done();
    io.stderr.write(`error: ${(error as Error).message}\n`);
    return 1;
  }
}
