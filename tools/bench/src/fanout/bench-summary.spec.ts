import { checkGoals, formatTable, windowNote, type BenchResult } from './bench-summary.js';
import type { FanoutStepResult } from './fanout-step.js';

const step = (subscribers: number, overrides: Partial<FanoutStepResult> = {}): FanoutStepResult => ({
  server: 'ours',
  subscribers,
  connectFailures: 0,
  targetFramesPerSecond: 2000,
  eventsPerSecond: 2014,
  seconds: 15,
  warmupSeconds: 5,
  latencyMs: { count: 1, p50: 20, p90: 50, p99: 100, max: 200 },
  delivery: {
    expected: 1,
    delivered: 1,
    lost: 0,
    subscribersWithLoss: 0,
    late: 0,
    subscribersBehind: 0,
    duplicates: 0,
    unexpected: 0,
  },
  serverCpuPercent: 50,
  serverRssMaxBytes: 200 * 1024 * 1024,
  serverRssMeanBytes: 150 * 1024 * 1024,
  bytesPerSecondOut: 1,
  messagesPerSecondOut: 1,
  serverCpuUsPerMessage: 1,
  loadGeneratorCpuPercent: 10,
  serverRunQueueWaitPercent: 0,
  loadGeneratorRunQueueWaitPercent: 0,
  drainMs: 0,
  closed: 0,
  behind: [],
  ...overrides,
});

const run: Omit<BenchResult, 'goals'> = {
  date: '2026-11-23T00:00:00.000Z',
  machine: 'test',
  loadAverage: { start: 0, end: 0 },
  quick: false,
  seconds: 1,
  errors: [],
};

describe('checkGoals', () => {
  it('checks the 1,000-subscriber step at 2,000/s, replay (JSON) and storage', () => {
    const checks = checkGoals({
      ...run,
      fanout: {
        steps: [
          step(100),
          step(1000, {
            latencyMs: { count: 1, p50: 90, p90: 200, p99: 240, max: 300 },
            serverRssMaxBytes: 300 * 1024 * 1024,
          }),
        ],
        ramp: [],
      },
      replay: [
        {
          encoding: 'json',
          events: 10,
          bytes: 1,
          elapsedMs: 1,
          ordered: true,
          timedOut: false,
          eventsPerSecond: 150_000,
          server: {} as never,
        },
      ],
      storage: { fill: { bytesPerEvent: 301 } as never },
    });
    expect(checks.map(({ goal, met }) => [goal, met])).toEqual([
      ['1000 subscribers at 2000/s: 0 lost', true],
      ['1000 subscribers at 2000/s: p99 < 250 ms', true],
      ['1000 subscribers at 2000/s: server RSS <= 256 MiB', false],
      ['replay >= 100,000 events/s', true],
      ['storage <= 300 bytes/event', false],
    ]);
  });

  it('does not pass a p99 while events were still on their way, and says what was not run', () => {
    const late = step(1000, { delivery: { ...step(1000).delivery, late: 5, subscribersBehind: 1 } });
    const checks = checkGoals({ ...run, fanout: { steps: [late], ramp: [] } });
    expect(checks[1]).toEqual({
      goal: '1000 subscribers at 2000/s: p99 < 250 ms',
      measured: 'p99 100.0 ms (5 events still undelivered after the drain)',
      met: false,
    });
    expect(checks.slice(3).map(({ measured, met }) => [measured, met])).toEqual([
      ['not run', undefined],
      ['not run', undefined],
    ]);
  });
});

describe('checkGoals with a --workers step', () => {
  it('wants nothing lost, an even split and no more CPU per message than one process', () => {
    const single = step(1000, { serverCpuUsPerMessage: 0.7 });
    const goals = (workers: FanoutStepResult) =>
      checkGoals({ ...run, fanout: { steps: [single], ramp: [], workers } })
        .filter(({ goal }) => goal.startsWith('--workers'))
        .map(({ goal, measured, met }) => [goal, measured, met]);
    expect(goals(step(1000, { workers: 2, subscribersPerWorker: [500, 500], serverCpuUsPerMessage: 0.65 }))).toEqual([
      ['--workers 2, 1,000 subscribers at 2,000/s: 0 lost', '0 lost', true],
      ['--workers 2, 1,000 subscribers at 2,000/s: subscribers split evenly', '500/500 per worker', true],
      ["--workers 2, 1,000 subscribers at 2,000/s: server CPU µs/msg <= one process's", '0.65 vs 0.70', true],
    ]);
    const uneven = step(1000, { workers: 2, subscribersPerWorker: [560, 440], serverCpuUsPerMessage: 0.8, delivery: { ...single.delivery, lost: 3 } });
    expect(goals(uneven).map(([, , met]) => met)).toEqual([false, false, false]);
    // Within 10 % of a fair share each counts as even.
    expect(goals(step(1000, { workers: 2, subscribersPerWorker: [540, 460] }))[1]).toEqual([
      '--workers 2, 1,000 subscribers at 2,000/s: subscribers split evenly',
      '540/460 per worker',
      true,
    ]);
  });
});

describe('formatTable', () => {
  it('pads the first column right and the others left, under a rule', () => {
    expect(
      formatTable(
        ['name', 'n'],
        [
          ['a', '10'],
          ['bcd', '2'],
        ],
      ),
    ).toBe('name   n\n----  --\na     10\nbcd    2');
  });
});

describe('windowNote', () => {
  it('says the CPU figures are over the window after the warm-up, which they exclude', () => {
    expect(windowNote([step(1000, { seconds: 15.02, warmupSeconds: 5 }), step(1000, { seconds: 14.97, warmupSeconds: 5 })])).toBe(
      '\n  CPU %, CPU µs/msg, events/s: the measured window (15+ s of traffic and the drain), after 5 s of warm-up ' +
        'traffic with the subscribers connected, which the window excludes; p50/p99, lost, late, out MiB/s, msgs/s: the whole step, warm-up included',
    );
  });

  it('lists differing warm-ups, and says nothing without steps', () => {
    expect(windowNote([step(100, { warmupSeconds: 0 }), step(100, { warmupSeconds: 5 })])).toContain('after 0/5 s of warm-up');
    expect(windowNote([])).toBe('');
  });
});
