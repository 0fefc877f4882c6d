/** Values below this share the first bucket (latencies are milliseconds: 10 µs). */
const SMALLEST = 0.01;
/** Each bucket is 1 % wider than the one before, so a percentile is within 1 % of the truth. */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Enough buckets to go from 10 µs past 10 minutes. */
const BUCKETS = Math.ceil(Math.log(600_000 / SMALLEST) / LOG_GROWTH) + 1;

/** The summary a benchmark prints: percentiles in the histogram's unit (ms for latencies). */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * Counts of values in logarithmic buckets (1 % wide): millions of latencies in a few KB, with
 * percentiles accurate to 1 %. Histograms of the same shape add up with `merge`, and travel
 * between processes as `counts()` arrays.
 */
export class LatencyHistogram {
  readonly #counts: Float64Array;
  #count = 0;
  #max = 0;

  constructor(counts?: ArrayLike<number>, max = 0) {
    this.#counts = new Float64Array(BUCKETS);
    if (counts) this.merge({ counts: () => counts, max: () => max });
  }

  get count(): number {
    return this.#count;
  }

  /** Adds one value (negative values count as 0). */
  record(value: number): void {
    this.#counts[bucketOf(value)]++;
    this.#count++;
    if (value > this.#max) this.#max = value;
  }

  /** Adds every value counted by `other` (same bucket layout). */
  merge(other: Pick<LatencyHistogram, 'counts' | 'max'>): void {
    const counts = other.counts();
    for (let bucket = 0; bucket < counts.length; bucket++) {
      this.#counts[bucket] += counts[bucket];
      this.#count += counts[bucket];
    }
    this.#max = Math.max(this.#max, other.max());
  }

  /** The largest value recorded exactly; 0 when empty. */
  max(): number {
    return this.#max;
  }

  /** The bucket counts, for sending to another process (`new LatencyHistogram(counts, max)`). */
  counts(): ArrayLike<number> {
    return this.#counts;
  }

  /**
   * The smallest value that at least `fraction` of the values are at or below, as the upper edge
   * of its bucket (never above the exact maximum); NaN when empty.
   */
  percentile(fraction: number): number {
    if (this.#count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(fraction * this.#count));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.#counts[bucket];
      if (seen >= rank) return Math.min(upperEdgeOf(bucket), this.#max);
    }
    return this.#max;
  }

  summary(): LatencySummary {
    return {
      count: this.#count,
      p50: this.percentile(0.5),
      p90: this.percentile(0.9),
      p99: this.percentile(0.99),
      max: this.#max,
    };
  }
}

function bucketOf(value: number): number {
  if (!(value > SMALLEST)) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(value / SMALLEST) / LOG_GROWTH));
}

function upperEdgeOf(bucket: number): number {
  return SMALLEST * GROWTH ** bucket;
}
