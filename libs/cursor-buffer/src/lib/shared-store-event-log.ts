import type { EventLog, LoggedEvent } from '@jetstream-ts/models';
import { Subject, type Observable } from 'rxjs';
import { EventTail } from './event-tail.js';
import type { EventStoreReader } from './lmdb-event-store.js';

export interface SharedStoreEventLogOptions {
  /** How many of the newest events to keep in memory for live readers. Default 20,000, as {@link CursorBuffer}. */
  tailCapacity?: number;
  /** Events read from the store per page when catching up with an announced head. Default 1,000. */
  pageSize?: number;
}

/**
 * The event log of a process that serves subscribers from a store another process writes
 * (`--workers`: the primary ingests, the workers read the same lmdb files). The writer announces
 * each committed head `time_us` ({@link announce}); the new events are then read from the store
 * once, into an in-memory tail that the live readers share (as with {@link CursorBuffer}: one
 * decompression per event and process, not per subscriber), and `appended` emits. Readers
 * behind the tail read the store, so replay and live have no seam.
 *
 * @example
 * import { SharedStoreEventLog, openLmdbEventReader } from '@jetstream-ts/cursor-buffer';
 * import { attachSubscribeEndpoint } from '@jetstream-ts/subscribers';
 *
 * // server: a node:http Server; the writing process sends { headTimeUs } after each commit
 * const log = new SharedStoreEventLog(openLmdbEventReader({ path: 'data/events' }));
 * process.on('message', (message: { headTimeUs: number }) => log.announce(message.headTimeUs));
 * attachSubscribeEndpoint(server, { log });
 */
export class SharedStoreEventLog implements EventLog {
  readonly #reader: EventStoreReader;
  readonly #tail: EventTail;
  readonly #pageSize: number;
  readonly #appended = new Subject<number>();
  /** Newest `time_us` read into the tail (or the head when opened): what readers may see. */
  #head: number;
  /** Emits the new head `time_us` once the events up to it are readable here. */
  readonly appended: Observable<number> = this.#appended.asObservable();

  constructor(reader: EventStoreReader, options: SharedStoreEventLogOptions = {}) {
    this.#reader = reader;
    this.#tail = new EventTail(options.tailCapacity ?? 20_000);
    this.#pageSize = options.pageSize ?? 1_000;
    reader.refresh();
    this.#head = reader.headTimeUs();
  }

  /**
   * The writer committed everything up to `headTimeUs`: reads the events past the current head
   * into the tail, then emits `appended`. Stale or repeated announcements do nothing.
   */
  announce(headTimeUs: number): void {
    if (headTimeUs <= this.#head) return;
    this.#reader.refresh();
    for (;;) {
      const events = this.#reader.readFrom(this.#head + 1, this.#pageSize);
      if (events.length === 0) break;
      this.#tail.push(events);
      this.#head = events[events.length - 1].time_us;
      if (events.length < this.#pageSize) break;
    }
    // Trimmed away meanwhile, or nothing new: the head still moves, as the writer's did.
    this.#head = Math.max(this.#head, this.#reader.headTimeUs());
    this.#appended.next(this.#head);
  }

  readFrom(fromTimeUs: number, limit: number): readonly LoggedEvent[] {
    const tailStart = this.#tail.oldestTimeUs();
    if (tailStart !== undefined && fromTimeUs >= tailStart) return this.#tail.readFrom(fromTimeUs, limit);
    // The store may already hold commits not yet announced; readers see them once they are.
    const events = this.#reader.readFrom(fromTimeUs, limit);
    return events.length > 0 && events[events.length - 1].time_us > this.#head ? events.filter((event) => event.time_us <= this.#head) : events;
  }

  headTimeUs(): number {
    return this.#head;
  }

  oldestTimeUs(): number {
    return this.#reader.oldestTimeUs();
  }

  /** Forgets the tail's events older than `timeUs` (the writer trims the store); resolves to 0, none deleted here. */
  trimOlderThan(timeUs: number): Promise<number> {
    this.#tail.dropOlderThan(timeUs);
    return Promise.resolve(0);
  }

  /** Completes `appended` and closes the reader. */
  close(): Promise<void> {
    this.#appended.complete();
    return this.#reader.close();
  }
}
