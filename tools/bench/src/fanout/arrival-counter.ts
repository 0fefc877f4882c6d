/**
 * Counts arrivals (message receive times, monotonic ms) in 1 ms buckets from an origin, so that
 * afterwards it can tell how many came at or after any instant: the measured window's start,
 * known to the bench only once the warm-up ended.
 *
 * @example
 * const arrivals = new ArrivalCounter(1000);
 * arrivals.add(1000.2);
 * arrivals.add(1500.7);
 * arrivals.countSince(1500); // 1
 */
export class ArrivalCounter {
  readonly #originMs: number;
  #buckets = new Uint32Array(4096);

  constructor(originMs: number) {
    this.#originMs = originMs;
  }

  /** One arrival at `atMs` (one before the origin counts as at the origin). */
  add(atMs: number): void {
    const bucket = this.#bucketOf(atMs);
    if (bucket >= this.#buckets.length) {
      const grown = new Uint32Array(Math.max(bucket + 1, this.#buckets.length * 2));
      grown.set(this.#buckets);
      this.#buckets = grown;
    }
    this.#buckets[bucket]++;
  }

  /** Arrivals at or after `sinceMs`, to the millisecond (those in its millisecond count too). */
  countSince(sinceMs: number): number {
    let total = 0;
    for (let bucket = this.#bucketOf(sinceMs); bucket < this.#buckets.length; bucket++) total += this.#buckets[bucket];
    return total;
  }

  #bucketOf(atMs: number): number {
    return Math.max(0, Math.floor(atMs - this.#originMs));
  }
}
