import { lastValueFrom, tap } from 'rxjs';
import { writeFrameLog } from '@jetstream-ts/frames';
import { synthesizeFrames } from '@jetstream-ts/synthetic-firehose';
import { chunkedSource } from './chunked-source.js';
import type { HarnessIo } from './harness-io.js';
import { createProgressLine, formatBytes } from './progress-line.js';

export interface SynthCommandOptions {
  output: string;
  frames: number;
  seed: string;
  dids: number;
  compress?: boolean;
  firstSeq?: number;
  startTime?: string;
  eventsPerSecond?: number;
}

/** `jetstream-harness synth`: writes a synthetic frame log. Returns the exit code. */
export async function runSynth(options: SynthCommandOptions, io: Pick<HarnessIo, 'stderr'>): Promise<number> {
  const progress = createProgressLine(io.stderr);
  const startedAt = performance.now();
  try {
    const frames = synthesizeFrames({
      frames: options.frames,
      seed: options.seed,
      dids: options.dids,
      firstSeq: options.firstSeq,
      startTime: options.startTime,
      eventsPerSecond: options.eventsPerSecond,
    });
    const written = { count: 0, bytes: 0 };
    await lastValueFrom(
      chunkedSource(frames).pipe(
        writeFrameLog(options.output, { compress: options.compress }),
        tap((frame) => {
          written.count++;
          written.bytes += frame.length;
          progress.update(() => `${written.count} / ${options.frames} frames, ${formatBytes(written.bytes)}`);
        }),
      ),
      { defaultValue: undefined },
    );
    progress.done();
    const seconds = (performance.now() - startedAt) / 1000;
    const average = written.count === 0 ? 0 : Math.round(written.bytes / written.count);
    io.stderr.write(
      `wrote ${written.count} frames (${formatBytes(written.bytes)} of frames, average ${average} B) to ${options.output} ` +
        `in ${seconds.toFixed(1)} s: ${Math.round(written.count / seconds)} frames/s\n`,
    );
    return 0;
  } catch (error) {
    progress.done();
    io.stderr.write(`error: ${(error as Error).message}\n`);
    return 1;
  }
}
