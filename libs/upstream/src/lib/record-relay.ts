import { fromEvent, identity, lastValueFrom, map, merge, NEVER, Observable, take, takeUntil, tap, timer } from 'rxjs';
import { decodeFrame, writeFrameLog } from '@jetstream-ts/frames';
import { frameSeq } from '@jetstream-ts/models';
import { type RelaySocketFactory, wsRelaySocket } from './relay-socket.js';
import { subscribeReposUrl } from './subscribe-repos-url.js';

export interface RecordRelayOptions {
  /** Frame log to write (truncated if it exists). */
  output: string;
  /** Start after this relay seq (replaces the URL's query). Default: live. */
  cursor?: number;
  /** Stop after this many frames. */
  limit?: number;
  /** Stop after this many milliseconds. */
  durationMs?: number;
  /** zstd-compress the whole log. */
  compress?: boolean;
  /** Stops the capture cleanly (Ctrl-C). */
  stop?: AbortSignal;
  /** Called after each frame is written. */
  onProgress?: (progress: RecordProgress) => void;
  /** Opens the connection; the `ws` client by default. */
  socketFactory?: RelaySocketFactory;
}

export interface RecordProgress {
  frames: number;
  bytes: number;
  /** Seq of the last frame that carries one: the cursor to resume from. */
  lastSeq: number | undefined;
}

export interface RecordSummary extends RecordProgress {
  /** Why the capture ended: `limit reached`, `stopped`, `3 s elapsed`, `relay closed the connection (code 1000)`. */
  ended: string;
}

/**
 * The frames of ONE `subscribeRepos` connection: completes when the relay closes it (`onClose`
 * learns the code and reason), errors when it fails or the relay sends text. No reconnects: a
 * recorder must know where its capture ends. Unsubscribing drops the connection.
 */
function oneConnection(
  url: string,
  openSocket: RelaySocketFactory,
  onClose: (ended: string) => void,
): Observable<Uint8Array> {
  return new Observable<Uint8Array>((destination) => {
    const socket = openSocket(url, {
      open: () => undefined,
      message: (data, isBinary) =>
        isBinary ? destination.next(data) : destination.error(new Error('expected binary messages from subscribeRepos, got text')),
      pong: () => undefined,
      close: (code, reason) => {
        onClose(`relay closed the connection (code ${code}${reason ? `: ${reason}` : ''})`);
        destination.complete();
      },
      error: (error) => destination.error(error),
    });
    return () => socket.terminate();
  });
}

/**
 * Captures a relay's frames into a frame log until `limit` frames, `durationMs`, the stop
 * signal, or the relay closing, whichever comes first. The log is whole and flushed when the
 * promise resolves; it rejects when the relay cannot be reached or the URL is not ws(s)://.
 *
 * @example
 * import { recordRelay } from '@jetstream-ts/upstream';
 *
 * const summary = await recordRelay('ws://127.0.0.1:2470', { output: 'capture.log', cursor: 0, limit: 5000 });
 * console.log(`${summary.frames} frames, resume with --cursor ${summary.lastSeq}`);
 *
 * @param relay The relay's URL (a bare `ws://host:port` gets the XRPC path).
 * @param options Output, where to start, when to stop.
 * @return What was recorded and why it ended.
 */
export async function recordRelay(relay: string, options: RecordRelayOptions): Promise<RecordSummary> {
  const url = subscribeReposUrl(relay, options.cursor);
  let ended = 'limit reached';
  const { stop } = options;
  const aborted: Observable<unknown> = stop === undefined ? NEVER : stop.aborted ? timer(0) : fromEvent(stop, 'abort');
  const stopped = aborted.pipe(map(() => 'stopped'));
  const { durationMs } = options;
  const elapsed = durationMs === undefined ? NEVER : timer(durationMs).pipe(map(() => `${durationMs / 1000} s elapsed`));
  const progress: RecordProgress = { frames: 0, bytes: 0, lastSeq: undefined };
  await lastValueFrom(
    oneConnection(url, options.socketFactory ?? wsRelaySocket, (closed) => (ended = closed)).pipe(
      options.limit === undefined ? identity : take(options.limit),
      takeUntil(merge(stopped, elapsed).pipe(tap((reason) => (ended = reason)))),
      writeFrameLog(options.output, { compress: options.compress }),
      tap((frame) => {
        progress.frames++;
        progress.bytes += frame.length;
        progress.lastSeq = frameSeq(decodeFrame(frame)) ?? progress.lastSeq;
        options.onProgress?.(progress);
      }),
    ),
    { defaultValue: undefined },
  );
  return { ...progress, ended };
}

/** Bytes in a short human form: 512 B, 3.4 KB, 12.0 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** One progress line: `1200 frames, 6.3 MB, 2400 frames/s, last seq 1199`. */
export function describeRecordProgress(progress: RecordProgress, elapsedMs: number): string {
  const rate = Math.round(progress.frames / Math.max(elapsedMs / 1000, 0.001));
  return `${progress.frames} frames, ${formatBytes(progress.bytes)}, ${rate} frames/s, last seq ${progress.lastSeq ?? 'none'}`;
}

/** The closing line: `recorded 200 frames (1.0 MB) to x.log: limit reached; last seq 1199 (resume with --cursor 1199)`. */
export function describeRecordSummary(summary: RecordSummary, output: string): string {
  const resume = summary.lastSeq === undefined ? '' : `; last seq ${summary.lastSeq} (resume with --cursor ${summary.lastSeq})`;
  return `recorded ${summary.frames} frames (${formatBytes(summary.bytes)}) to ${output}: ${summary.ended}${resume}`;
}
