import { join } from 'node:path';
import { CursorBuffer, expireEvents, openLmdbEventStore } from '@jetstream-ts/cursor-buffer';
import type { JetstreamEvent } from '@jetstream-ts/models';
import { firstValueFrom } from 'rxjs';
import { diskUsage, lmdbTreeUsage, type DiskUsage } from './disk-usage.js';
import { fillEventLog, type FillResult } from './fill-event-store.js';

/** The store's directory inside a server data dir (as the server's container names it). */
export const EVENTS_SUBDIR = 'events';
/** The lmdb database holding the events inside the store (see the cursor-buffer's lmdb store). */
const EVENTS_DATABASE = 'events';

export interface StorageFill extends FillResult {
  disk: DiskUsage;
  /** Allocated bytes on disk per event. */
  bytesPerEvent: number;
}

export interface StorageTrim {
  /** Events the TTL cleanup deleted, and those left. */
  deleted: number;
  retained: number;
  trimMs: number;
  /** The files after the cleanup (lmdb does not shrink them; freed pages are reused). */
  disk: DiskUsage;
  /** Allocated bytes on disk per retained event. */
  diskBytesPerRetainedEvent: number;
  /** Bytes of the pages holding the retained events, per retained event. */
  liveBytesPerRetainedEvent: number;
  /** After writing as many new events as were deleted: the file should not have grown. */
  refill?: { events: number; disk: DiskUsage; bytesPerEvent: number };
}

/**
 * Writes `count` events into a fresh lmdb event store under `dataDir/events` (the layout the
 * server opens with `--data-dir dataDir`), closes it and measures the files. The `time_us` values
 * end about now, so a server started on the directory keeps them (TTL 24 h).
 */
export async function fillStorage(
  dataDir: string,
  events: readonly JetstreamEvent[],
  count: number,
  onProgress?: (written: number) => void,
): Promise<StorageFill> {
  const path = join(dataDir, EVENTS_SUBDIR);
  const log = new CursorBuffer(openLmdbEventStore({ path }));
  let result: FillResult;
  try {
    result = await fillEventLog(log, events, count, Date.now() * 1000 - count, onProgress);
  } finally {
    await log.close();
  }
  const disk = diskUsage(path);
  return { ...result, disk, bytesPerEvent: disk.allocatedBytes / count };
}

/**
 * The TTL cleanup as the server runs it (`expireEvents`), with a clock set so that the older
 * half of the filled events are past the TTL; then the files and the live pages are measured.
 * With `refill`, as many events as were deleted are written again afterwards: the file size
 * then shows whether the freed pages were reused.
 */
export async function expireOlderHalf(
  dataDir: string,
  fill: FillResult,
  options: { refillEvents?: readonly JetstreamEvent[] } = {},
): Promise<StorageTrim> {
  const path = join(dataDir, EVENTS_SUBDIR);
  const ttlMs = 60_000;
  const halfwayTimeUs = fill.firstTimeUs + Math.floor(fill.events / 2);
  const log = new CursorBuffer(openLmdbEventStore({ path }));
  let deleted: number;
  let trimMs: number;
  try {
    const startedAt = performance.now();
    deleted = await firstValueFrom(
      expireEvents(log, { ttlMs, intervalMs: 1, clock: () => halfwayTimeUs + ttlMs * 1000 }),
    );
    trimMs = performance.now() - startedAt;
  } finally {
    await log.close();
  }
  const retained = fill.events - deleted;
  const disk = diskUsage(path);
  const live = lmdbTreeUsage(path, EVENTS_DATABASE);
  const trim: StorageTrim = {
    deleted,
    retained,
    trimMs,
    disk,
    diskBytesPerRetainedEvent: disk.allocatedBytes / retained,
    liveBytesPerRetainedEvent: live.bytes / live.entries,
  };
  if (!options.refillEvents || deleted === 0) return trim;
  const refillLog = new CursorBuffer(openLmdbEventStore({ path }));
  try {
    await fillEventLog(refillLog, options.refillEvents, deleted, refillLog.headTimeUs() + 1);
  } finally {
    await refillLog.close();
  }
  const refillDisk = diskUsage(path);
  return {
    ...trim,
    refill: { events: deleted, disk: refillDisk, bytesPerEvent: refillDisk.allocatedBytes / fill.events },
  };
}
