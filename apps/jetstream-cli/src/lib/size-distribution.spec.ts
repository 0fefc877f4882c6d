import { summarizeSizes } from './size-distribution.js';

describe('summarizeSizes', () => {
  it('gives min, mean, nearest-rank p50 and p99, and max', () => {
    // 1..100 shuffled: p50 is the 50th smallest, p99 the 99th.
    const sizes = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
    expect(summarizeSizes(sizes)).toEqual({
      count: 100,
      total: 5050,
      min: 1,
      avg: 50.5,
      p50: 50,
      p99: 99,
      max: 100,
    });
  });

  it('handles a single size and a small odd list', () => {
    expect(summarizeSizes([7])).toEqual({ count: 1, total: 7, min: 7, avg: 7, p50: 7, p99: 7, max: 7 });
    expect(summarizeSizes([30, 10, 20])).toEqual({
      count: 3,
      total: 60,
      min: 10,
      avg: 20,
      p50: 20,
      p99: 30,
      max: 30,
    });
  });

  it('is all zeros for no sizes', () => {
    expect(summarizeSizes([])).toEqual({ count: 0, total: 0, min: 0, avg: 0, p50: 0, p99: 0, max: 0 });
  });
});
