import { LatencyHistogram } from './latency-histogram.js';

describe('LatencyHistogram', () => {
  it('gives percentiles within 1 % of the exact values', () => {
    const histogram = new LatencyHistogram();
    for (let value = 1; value <= 1000; value++) histogram.record(value);
    expect(histogram.count).toBe(1000);
    expect(histogram.percentile(0.5)).toBeGreaterThanOrEqual(500);
    expect(histogram.percentile(0.5)).toBeLessThanOrEqual(505);
    expect(histogram.percentile(0.99)).toBeGreaterThanOrEqual(990);
    expect(histogram.percentile(0.99)).toBeLessThanOrEqual(1000);
    expect(histogram.percentile(1)).toBe(1000);
    expect(histogram.max()).toBe(1000);
  });

  it('never reports a percentile above the largest value', () => {
    const histogram = new LatencyHistogram();
    histogram.record(3.3333);
    expect(histogram.percentile(0.5)).toBe(3.3333);
  });

  it('counts zero and negative values (clock noise) in the first bucket', () => {
    const histogram = new LatencyHistogram();
    histogram.record(-0.2);
    histogram.record(0);
    histogram.record(100);
    expect(histogram.percentile(0.5)).toBeLessThanOrEqual(0.01);
    expect(histogram.percentile(0.9)).toBe(100);
  });

  it('is NaN when empty', () => {
    expect(new LatencyHistogram().summary()).toEqual({ count: 0, p50: NaN, p90: NaN, p99: NaN, max: 0 });
  });

  it('merges histograms, also rebuilt from counts sent by another process', () => {
    const fast = new LatencyHistogram();
    const slow = new LatencyHistogram();
    for (let i = 0; i < 90; i++) fast.record(10);
    for (let i = 0; i < 10; i++) slow.record(500);
    const merged = new LatencyHistogram(Array.from(fast.counts()), fast.max());
    merged.merge(slow);
    expect(merged.count).toBe(100);
    expect(merged.percentile(0.9)).toBeCloseTo(10, 0);
    expect(merged.percentile(0.91)).toBeCloseTo(500, -1);
    expect(merged.max()).toBe(500);
  });
});
