/** Summary statistics of a list of sizes in bytes. All zero for an empty list. */
export interface SizeDistribution {
  count: number;
  total: number;
  min: number;
  avg: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Summarises sizes: min, mean, nearest-rank percentiles (p50, p99) and max. The mean is rounded
 * to one decimal, the rest are exact sizes from the list.
 */
export function summarizeSizes(sizes: readonly number[]): SizeDistribution {
  if (sizes.length === 0) return { count: 0, total: 0, min: 0, avg: 0, p50: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(sizes).sort();
  const total = sorted.reduce((sum, size) => sum + size, 0);
  // Nearest rank: the smallest size with at least p% of the list at or below it.
  const percentile = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
  return {
    count: sorted.length,
    total,
    min: sorted[0],
    avg: Math.round((total / sorted.length) * 10) / 10,
    p50: percentile(50),
    p99: percentile(99),
    max: sorted[sorted.length - 1],
  };
}
