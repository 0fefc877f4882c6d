import { buildBenchReport, formatBenchReport } from './bench-report.js';
import type { ContestantTimings } from './interleaved-rounds.js';

const timing = (id: string, roundsMs: number[], roundsCpuMs = roundsMs): ContestantTimings => ({
  contestant: { id, name: `pipeline ${id}`, processFrame: () => 0 },
  roundsMs,
  roundsCpuMs,
  outputBytes: 100,
});
const run = { input: 'test frames', machine: 'test machine', frames: 1000, rounds: 3, warmupRounds: 1 };

describe('buildBenchReport', () => {
  // 1,000 frames per round: 100 ms is 10,000 frames/s.
  const report = buildBenchReport(
    [
      timing('a', [400, 500, 1000], [400, 400, 400]),
      timing('b', [100, 150, 900]),
      timing('c', [100, 120, 110]),
      timing('d', [160, 140, 150]),
    ],
    run,
  );

  it('takes frames/s from the median round, by wall and by CPU time', () => {
    expect(report.results.map((result) => [result.id, result.framesPerSecond.median])).toEqual([
      ['a', 2000],
      ['b', 1000000 / 150],
      ['c', 1000000 / 110],
      ['d', 1000000 / 150],
    ]);
    expect(report.results[0].framesPerSecond.rounds).toEqual([2500, 2000, 1000]);
    expect(report.results[0].framesPerCpuSecond).toEqual({ median: 2500, rounds: [2500, 2500, 2500] });
  });

  it('checks the ratios against the goals', () => {
    const ratios = Object.fromEntries(
      report.ratios.map((ratio) => [`${ratio.numerator}/${ratio.denominator}`, ratio]),
    );
    expect(Object.keys(ratios)).toEqual(['c/a', 'c/b', 'd/b']);
    expect(ratios['c/a'].ratio).toBeCloseTo(1000 / 110 / 2, 6);
    expect(ratios['c/a'].cpuRatio).toBeCloseTo(1000 / 110 / 2.5, 6);
    expect(ratios['c/a']).toMatchObject({ goal: 3, met: true, cpuMet: true });
    expect(ratios['c/b'].ratio).toBeCloseTo(150 / 110, 6);
    expect(ratios['c/b']).toMatchObject({ goal: 1.2, met: true });
    expect(ratios['d/b'].ratio).toBeCloseTo(1, 6);
    expect(ratios['d/b']).toMatchObject({ goal: 1, met: true });
  });

  it('says when a goal is missed and skips ratios of pipelines that did not run', () => {
    const slow = buildBenchReport([timing('a', [100], [100]), timing('c', [200], [20])], run);
    expect(slow.ratios).toEqual([
      { numerator: 'c', denominator: 'a', goal: 3, ratio: 0.5, met: false, cpuRatio: 5, cpuMet: true },
    ]);
    expect(formatBenchReport(slow)).toContain('(c)/(a)  goal >= 3x  wall 0.50x NOT met  CPU 5.00x met');
  });

  it('prints every pipeline and every ratio with its verdict', () => {
    const text = formatBenchReport(report);
    expect(text).toContain('(a) pipeline a');
    expect(text).toMatch(/\(a\) pipeline a\s+2,000\s+1,000\.\.2,500\s+2,500\s+2,500\.\.2,500\s+100\n/);
    expect(text).toContain('(c)/(b)  goal >= 1.2x  wall 1.36x met  CPU 1.36x met');
  });
});
