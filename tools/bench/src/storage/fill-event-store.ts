import { compressEvents, createV1Compressor } from '@jetstream-ts/compression';
import { commitFrames, CursorBuffer } from '@jetstream-ts/cursor-buffer';
import { encodeEvent } from '@jetstream-ts/mapping';
import type { JetstreamEvent } from '@jetstream-ts/models';
import { sequence } from '@jetstream-ts/sequencing';
import { from, lastValueFrom, map, tap } from 'rxjs';

/** Events per pass through the pipeline: bounds what is held in memory before it is committed. */
const CHUNK_EVENTS = 20_000;

export interface FillResult {
  events: number;
  /** `time_us` of the first and last event written. */
  firstTimeUs: number;
  lastTimeUs: number;
  elapsedMs: number;
  /** Average v1 JSON and zstd sizes of the events written. */
  meanJsonBytes: number;
  meanZstdBytes: number;
}

/**
 * Appends `count` events to a log through the server's own stages after mapping: `sequence()`
 * (consecutive `time_us` from `firstTimeUs`), `encodeEvent()`, `compressEvents()` with the v1
 * dictionary, `commitFrames()` (1,000 per batch). The events are the
 * pool's mapped events taken in turn (decoding a million frames would take minutes and is the
 * ingest benchmark's subject, not storage's).
 *
 * @param log The log to fill (e.g. a `CursorBuffer` over `openLmdbEventStore`).
 * @param events Mapped events to cycle through (`time_us` is set on copies).
 * @param count How many events to write.
 * @param firstTimeUs The first event's `time_us` (must be above the log's head).
 * @param onProgress Called after each chunk with the events written so far.
 */
export async function fillEventLog(
  log: CursorBuffer,
  events: readonly JetstreamEvent[],
  count: number,
  firstTimeUs: number,
  onProgress?: (written: number) => void,
): Promise<FillResult> {
  if (events.length === 0) throw new RangeError('no events to write');
  const compressor = createV1Compressor();
  const startedAt = performance.now();
  let jsonBytes = 0;
  let zstdBytes = 0;
  for (let written = 0; written < count;) {
    const chunk = Math.min(CHUNK_EVENTS, count - written);
    const copies = Array.from({ length: chunk }, (_, index) => ({
      ...events[(written + index) % events.length],
      relaySeq: written + index + 1,
    })) as JetstreamEvent[];
    await lastValueFrom(
      from(copies).pipe(
        sequence({ after: written === 0 ? firstTimeUs - 1 : log.headTimeUs(), clock: () => 0 }),
        encodeEvent(),
        compressEvents(compressor),
        tap((event) => {
          jsonBytes += event.json.length;
          zstdBytes += event.zstd.length;
        }),
        map((event) => ({ events: [event], relayCursor: event.relaySeq })),
        commitFrames(log, { maxBatchEvents: 1000 }),
      ),
    );
    written += chunk;
    onProgress?.(written);
  }
  return {
    events: count,
    firstTimeUs,
    lastTimeUs: firstTimeUs + count - 1,
    elapsedMs: performance.now() - startedAt,
    meanJsonBytes: jsonBytes / count,
    meanZstdBytes: zstdBytes / count,
  };
}
