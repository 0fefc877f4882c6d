import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles from the initial delay and caps at maxDelay (no jitter at random = 1)', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 100].map((attempt) => backoffDelay(attempt, {}, () => 1));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('jitters into the upper half of the nominal delay', () => {
    expect(backoffDelay(2, { initialDelay: 100 }, () => 0)).toBe(200);
    expect(backoffDelay(2, { initialDelay: 100 }, () => 0.5)).toBe(300);
  });
});
