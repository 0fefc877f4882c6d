import type { Subscription } from 'rxjs';
import type { EventLog } from '@jetstream-ts/models';

const READ_BATCH = 10_000;

/**
 * Counts how many events a reader is behind the head. The event log orders by `time_us`,
 * which says nothing about how many events lie between two times, so this keeps the
 * `time_us` of the newest `capacity` events (8 bytes each) and answers by binary search.
 *
 * One index serves every subscriber of a log. It starts counting at the head it finds, so
 * until `capacity` events have been appended it can only under-count: a reader is never
 * judged slow on a guess.
 */
export class LogTailIndex {
  private readonly times: Float64Array;
  private start = 0;
  private size = 0;
  private lastTimeUs: number;
  private subscription: Subscription | undefined;

  constructor(
    private readonly log: EventLog,
    readonly capacity: number,
  ) {
    this.times = new Float64Array(capacity);
    this.lastTimeUs = log.headTimeUs();
  }

  /** Follows the log's appends until `stop()`. */
  follow(): this {
    this.subscription ??= this.log.appended.subscribe(() => this.catchUp());
    return this;
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  /**
   * Events with `time_us >= position`, at most `capacity` (a reader at the head, whose next
   * read is after the newest event, is 0 behind).
   */
  eventsFrom(position: number): number {
    let low = 0;
    let high = this.size;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.at(middle) < position) low = middle + 1;
      else high = middle;
    }
    return this.size - low;
  }

  private catchUp(): void {
    for (;;) {
      const events = this.log.readFrom(this.lastTimeUs + 1, READ_BATCH);
      for (const event of events) this.push(event.time_us);
      if (events.length < READ_BATCH) return;
    }
  }

  private push(timeUs: number): void {
    this.lastTimeUs = timeUs;
    if (this.size < this.capacity) {
      this.times[(this.start + this.size++) % this.capacity] = timeUs;
    } else {
      this.times[this.start] = timeUs;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  private at(index: number): number {
    return this.times[(this.start + index) % this.capacity] as number;
  }
}
