import { behindReasons } from './fanout-step.js';

const keptUp = {
  delivery: {
    expected: 100,
    delivered: 100,
    lost: 0,
    subscribersWithLoss: 0,
    late: 0,
    subscribersBehind: 0,
    duplicates: 0,
    unexpected: 0,
  },
  latencyMs: { count: 100, p50: 20, p90: 40, p99: 90, max: 120 },
  closed: 0,
  connectFailures: 0,
};

describe('behindReasons', () => {
  it('is empty when nothing was lost and p99 stayed under the limit', () => {
    expect(behindReasons(keptUp)).toEqual([]);
  });

  it('names every way a step fell behind', () => {
    expect(
      behindReasons(
        {
          ...keptUp,
          delivery: {
            ...keptUp.delivery,
            delivered: 92,
            lost: 3,
            subscribersWithLoss: 2,
            late: 5,
            subscribersBehind: 1,
          },
          latencyMs: { ...keptUp.latencyMs, p99: 1500 },
          closed: 1,
          connectFailures: 4,
        },
        { maxP99Ms: 1000 },
      ),
    ).toEqual([
      '3 events lost (2 subscribers)',
      '5 events still on their way after the drain (1 subscribers; not in the latencies)',
      '1 subscribers closed',
      '4 subscribers failed to connect',
      'p99 1500 ms > 1000 ms',
    ]);
  });
});
