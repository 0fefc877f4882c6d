import { LatencyHistogram } from './latency-histogram.js';
import type { StepReport } from './load-generator-protocol.js';
import { mergeStepReports } from './load-generator-group.js';

function report(latencies: number[], overrides: Partial<StepReport>): StepReport {
  const histogram = new LatencyHistogram();
  for (const latency of latencies) histogram.record(latency);
  return {
    delivery: {
      expected: 10,
      delivered: 9,
      lost: 1,
      subscribersWithLoss: 1,
      late: 0,
      subscribersBehind: 0,
      duplicates: 0,
      unexpected: 0,
    },
    latencyCounts: Array.from(histogram.counts()),
    latencyMax: histogram.max(),
    messages: 9,
    windowMessages: 7,
    bytes: 900,
    firstMessageAtMs: 100,
    lastMessageAtMs: 200,
    drainMs: 5,
    cpuPercent: 30,
    runQueueWaitPercent: 10,
    closed: 0,
    ...overrides,
  };
}

describe('mergeStepReports', () => {
  it('adds up counts, takes the outer message times, the longest drain and wait, merges latencies', () => {
    const merged = mergeStepReports([
      report([10, 10, 10], {}),
      report([50], {
        delivery: {
          expected: 4,
          delivered: 2,
          lost: 0,
          subscribersWithLoss: 0,
          late: 2,
          subscribersBehind: 1,
          duplicates: 1,
          unexpected: 3,
        },
        windowMessages: 4,
        firstMessageAtMs: 90,
        lastMessageAtMs: 180,
        drainMs: 40,
        cpuPercent: 20,
        runQueueWaitPercent: 25,
        closed: 2,
      }),
    ]);
    expect(merged.delivery).toEqual({
      expected: 14,
      delivered: 11,
      lost: 1,
      subscribersWithLoss: 1,
      late: 2,
      subscribersBehind: 1,
      duplicates: 1,
      unexpected: 3,
    });
    expect([merged.messages, merged.windowMessages, merged.bytes, merged.cpuPercent, merged.closed]).toEqual([
      18, 11, 1800, 50, 2,
    ]);
    expect([
      merged.firstMessageAtMs,
      merged.lastMessageAtMs,
      merged.drainMs,
      merged.runQueueWaitPercent,
    ]).toEqual([90, 200, 40, 25]);
    const latency = new LatencyHistogram(merged.latencyCounts, merged.latencyMax);
    expect(latency.count).toBe(4);
    expect(latency.max()).toBe(50);
    expect(latency.percentile(0.75)).toBeCloseTo(10, 0);
  });

  it('ignores the message times of a process that received nothing', () => {
    const merged = mergeStepReports([
      report([], { messages: 0, firstMessageAtMs: 0, lastMessageAtMs: 0 }),
      report([5], {}),
    ]);
    expect([merged.firstMessageAtMs, merged.lastMessageAtMs]).toEqual([100, 200]);
  });
});
