import type { EventLog, LoggedEvent } from '@jetstream-ts/models';
import { Subject, type Observable } from 'rxjs';
import { EventTail } from './event-tail.js';
import type { EventStore } from './event-store.js';

export interface CursorBufferOptions {
  /** How many of the newest events to keep in memory for live readers. Default 20,000 (~10 s of traffic). */
  tailCapacity?: number;
}

/**
 * The sequenced event log: a durable {@link EventStore} plus an in-memory tail of the newest
 * events. The ingest side appends batches; subscribers read it through the models `EventLog`
 * interface, each from its own position. A reader at the live edge is served from memory (the
 * very objects appended, JSON and zstd ready); a reader behind the tail reads the store.
 * Both hold the same committed events, so moving from one to the other has no seam.
 *
 * @example
 * import { CursorBuffer, openLmdbEventStore } from '@jetstream-ts/cursor-buffer';
 *
 * // events: LoggedEvent[] (encoded and compressed); relayCursor: the relay seq safe to resume from
 * const log = new CursorBuffer(openLmdbEventStore({ path: 'data/events' }));
 * log.appended.subscribe((headTimeUs) => console.log('new head', headTimeUs));
 * await log.append(events, relayCursor);
 * log.readFrom(0, 100); // the 100 oldest events kept
 */
export class CursorBuffer implements EventLog {
  readonly #store: EventStore;
  readonly #tail: EventTail;
  readonly #appended = new Subject<number>();
  /** Emits the new head `time_us` after each committed append that added events. */
  readonly appended: Observable<number> = this.#appended.asObservable();

  constructor(store: EventStore, options: CursorBufferOptions = {}) {
    this.#store = store;
    this.#tail = new EventTail(options.tailCapacity ?? 20_000);
  }

  /**
   * Commits `events` with `relayCursor` (see {@link EventStore.append}), then makes them visible
   * in the tail and signals `appended`. Resolves after the signal.
   */
  async append(events: readonly LoggedEvent[], relayCursor: number): Promise<void> {
    await this.#store.append(events, relayCursor);
    if (events.length === 0) return;
    this.#tail.push(events);
    this.#appended.next(events[events.length - 1].time_us);
  }

  /** The relay cursor committed with the last append; undefined before any. */
  relayCursor(): number | undefined {
    return this.#store.relayCursor();
  }

  readFrom(fromTimeUs: number, limit: number): readonly LoggedEvent[] {
    const tailStart = this.#tail.oldestTimeUs();
    if (tailStart !== undefined && fromTimeUs >= tailStart) return this.#tail.readFrom(fromTimeUs, limit);
    return this.#store.readFrom(fromTimeUs, limit);
  }

  headTimeUs(): number {
    return this.#store.headTimeUs();
  }

  oldestTimeUs(): number {
    return this.#store.oldestTimeUs();
  }

  /** Deletes the events with `time_us < timeUs` from memory and store; resolves to the store's count. */
  trimOlderThan(timeUs: number): Promise<number> {
    this.#tail.dropOlderThan(timeUs);
    return this.#store.trimOlderThan(timeUs);
  }

  /** Completes `appended` and closes the store. */
  close(): Promise<void> {
    this.#appended.complete();
    return this.#store.close();
  }
}
