import { buildBenchReport, formatBenchReport } from './bench-report.js';
import type { ContestantTimings } from './interleaved-rounds.js';

const timing = (id: string, roundsMs: number[]): ContestantTimings => ({
  contestant: { id, name: `pipeline ${id}`, processFrame: () => 0 },
  roundsMs,
  outputBytes: 100,
});

describe('buildBenchReport', () => {
  // 1,000 frames per round: 100 ms is 10,000 frames/s.
  const report = buildBenchReport(
    [timing('a', [400, 500, 1000]), timing('b', [100, 150, 900]), timing('c', [100, 120, 110]), timing('d', [160, 140, 150])],
    { input: 'test frames', frames: 1000, rounds: 3, warmupRounds: 1 },
  );

  it('takes frames/s from the median round', () => {
    expect(report.results.map((result) => [result.id, result.framesPerSecond])).toEqual([
      ['a', 2000],
      ['b', 1000000 / 150],
      ['c', 1000000 / 110],
      ['d', 1000000 / 150],
    ]);
    expect(report.results[0].roundsFramesPerSecond).toEqual([2500, 2000, 1000]);
  });

  it('checks the ratios against the goals', () => {
    const ratios = Object.fromEntries(report.ratios.map((ratio) => [`${ratio.numerator}/${ratio.denominator}`, ratio]));
    expect(Object.keys(ratios)).toEqual(['c/a', 'c/b', 'd/b']);
    expect(ratios['c/a'].ratio).toBeCloseTo(1000 / 110 / 2, 6);
    expect(ratios['c/a']).toMatchObject({ goal: 3, met: true });
    expect(ratios['c/b'].ratio).toBeCloseTo(150 / 110, 6);
    expect(ratios['c/b']).toMatchObject({ goal: 1.2, met: true });
    expect(ratios['d/b'].ratio).toBeCloseTo(1, 6);
    expect(ratios['d/b']).toMatchObject({ goal: 1, met: true });
  });

  it('says when a goal is missed and skips ratios of pipelines that did not run', () => {
    const slow = buildBenchReport([timing('a', [100]), timing('c', [200])], { input: 'x', frames: 10, rounds: 1, warmupRounds: 0 });
    expect(slow.ratios).toEqual([{ numerator: 'c', denominator: 'a', goal: 3, ratio: 0.5, met: false }]);
    expect(formatBenchReport(slow)).toContain('(c)/(a) = 0.50x  goal >= 3x  NOT met');
  });

  it('prints every pipeline and every ratio with its verdict', () => {
    const text = formatBenchReport(report);
    expect(text).toContain('(a) pipeline a');
    expect(text).toContain('2,000');
    expect(text).toMatch(/\(c\)\/\(a\) = 4\.55x {2}goal >= 3x {2}met/);
    expect(text).toMatch(/\(c\)\/\(b\) = 1\.36x {2}goal >= 1\.2x {2}met/);
  });
});
