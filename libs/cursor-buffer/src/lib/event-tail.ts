import type { LoggedEvent } from '@jetstream-ts/models';
import { firstAtOrAfter } from './first-at-or-after.js';

/**
 * The most recent committed events, in memory, oldest first, in a ring of fixed capacity:
 * readers at the live edge read here instead of the store. Everything here is also in the
 * store, so a reader may switch between the two at any position without a gap or duplicate.
 */
export class EventTail {
  readonly #ring: Array<LoggedEvent | undefined>;
  /** Index in the ring of the oldest event. */
  #start = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`tail capacity must be a positive integer, got ${capacity}`);
    this.#ring = new Array<LoggedEvent | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** `time_us` of the oldest event held; undefined when empty. */
  oldestTimeUs(): number | undefined {
    return this.#size > 0 ? this.#at(0).time_us : undefined;
  }

  /** Adds committed events (strictly increasing, above those held), evicting the oldest. */
  push(events: readonly LoggedEvent[]): void {
    for (const event of events) {
      if (this.#size < this.capacity) {
        this.#ring[(this.#start + this.#size) % this.capacity] = event;
        this.#size += 1;
      } else {
        this.#ring[this.#start] = event;
        this.#start = (this.#start + 1) % this.capacity;
      }
    }
  }

  /** Up to `limit` events with `time_us >= fromTimeUs`, oldest first. */
  readFrom(fromTimeUs: number, limit: number): LoggedEvent[] {
    const events: LoggedEvent[] = [];
    for (let index = this.#firstAtOrAfter(fromTimeUs); index < this.#size && events.length < limit; index++) {
      events.push(this.#at(index));
    }
    return events;
  }

  /** Forgets the events with `time_us < timeUs` (retention trims memory as it trims the store). */
  dropOlderThan(timeUs: number): void {
    const count = this.#firstAtOrAfter(timeUs);
    for (let index = 0; index < count; index++) this.#ring[(this.#start + index) % this.capacity] = undefined;
    this.#start = (this.#start + count) % this.capacity;
    this.#size -= count;
  }

  #at(index: number): LoggedEvent {
    return this.#ring[(this.#start + index) % this.capacity] as LoggedEvent;
  }

  /** Logical index of the first event with `time_us >= timeUs`. */
  #firstAtOrAfter(timeUs: number): number {
    return firstAtOrAfter(this.#size, (index) => this.#at(index).time_us, timeUs);
  }
}
