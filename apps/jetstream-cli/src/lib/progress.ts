import { SingleBar } from 'cli-progress';

/** Where a pass over a frame log stands. `logBytes` counts records: 4 + frame length each. */
export interface LogPosition {
  logBytes: number;
  frames: number;
  events: number;
}

export interface LogProgress {
  update(position: LogPosition): void;
  stop(): void;
}

const silent: LogProgress = { update: () => undefined, stop: () => undefined };

/**
 * A progress bar on `stream` when it is a terminal, nothing otherwise (so logs and pipes stay
 * clean). With `totalBytes` (a plain log's size) it shows a bar; without (a compressed log,
 * whose decompressed size is unknown) only the counts.
 */
export function startLogProgress(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  totalBytes?: number,
): LogProgress {
  if (!stream.isTTY) return silent;
  const counts = '{frames} frames | {events} events';
  const format = totalBytes === undefined ? counts : `{bar} {percentage}% | ${counts}`;
  const bar = new SingleBar({ stream, format, hideCursor: true, clearOnComplete: true });
  bar.start(totalBytes ?? 0, 0, { frames: 0, events: 0 });
  return {
    update: ({ logBytes, frames, events }) => bar.update(logBytes, { frames, events }),
    stop: () => bar.stop(),
  };
}
