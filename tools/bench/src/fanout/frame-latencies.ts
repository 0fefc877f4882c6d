import type { LatencyHistogram } from './latency-histogram.js';

const INITIAL_PENDING = 1024;

/**
 * Latencies of messages against their frame's send time, when the send time may come after the
 * message (the relay reports send times in batches): a message of a frame whose send time is
 * known is recorded at once; the others wait in a list per frame, flushed when its send time
 * arrives. Each message is handled once either way, without allocating per message: the waiting
 * receive times live in typed arrays whose slots are reused.
 */
export class FrameLatencies {
  readonly #histogram: Pick<LatencyHistogram, 'record'>;
  /** Per frame: its send time (monotonic ms); NaN until known. */
  readonly #sentAtMs: Float64Array;
  /** Per frame: the first waiting slot; -1 when none. */
  readonly #firstWaiting: Int32Array;
  /** Per slot: the receive time it holds, and the next slot of the same frame (or of the free list). */
  #receivedAtMs = new Float64Array(INITIAL_PENDING);
  #nextSlot = new Int32Array(INITIAL_PENDING);
  #freeSlot = -1;
  #usedSlots = 0;
  #waiting = 0;

  constructor(frames: number, histogram: Pick<LatencyHistogram, 'record'>) {
    this.#histogram = histogram;
    this.#sentAtMs = new Float64Array(frames).fill(NaN);
    this.#firstWaiting = new Int32Array(frames).fill(-1);
  }

  /** Messages received whose frame's send time has not come yet. */
  get waiting(): number {
    return this.#waiting;
  }

  /** A message of `frame` arrived at `receivedAtMs`. */
  received(frame: number, receivedAtMs: number): void {
    const sentAtMs = this.#sentAtMs[frame];
    if (sentAtMs === sentAtMs) {
      this.#histogram.record(receivedAtMs - sentAtMs);
      return;
    }
    const slot = this.#takeSlot();
    this.#receivedAtMs[slot] = receivedAtMs;
    this.#nextSlot[slot] = this.#firstWaiting[frame];
    this.#firstWaiting[frame] = slot;
    this.#waiting++;
  }

  /** `frame` was sent at `sentAtMs`: records the messages that were waiting for it. */
  sent(frame: number, sentAtMs: number): void {
    this.#sentAtMs[frame] = sentAtMs;
    let slot = this.#firstWaiting[frame];
    if (slot < 0) return;
    this.#firstWaiting[frame] = -1;
    while (slot >= 0) {
      this.#histogram.record(this.#receivedAtMs[slot] - sentAtMs);
      const next = this.#nextSlot[slot];
      this.#nextSlot[slot] = this.#freeSlot;
      this.#freeSlot = slot;
      this.#waiting--;
      slot = next;
    }
  }

  #takeSlot(): number {
    if (this.#freeSlot >= 0) {
      const slot = this.#freeSlot;
      this.#freeSlot = this.#nextSlot[slot];
      return slot;
    }
    if (this.#usedSlots === this.#nextSlot.length) {
      const receivedAtMs = new Float64Array(this.#usedSlots * 2);
      receivedAtMs.set(this.#receivedAtMs);
      this.#receivedAtMs = receivedAtMs;
      const nextSlot = new Int32Array(this.#usedSlots * 2);
      nextSlot.set(this.#nextSlot);
      this.#nextSlot = nextSlot;
    }
    return this.#usedSlots++;
  }
}
