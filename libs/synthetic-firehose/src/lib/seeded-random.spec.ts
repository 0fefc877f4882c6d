import { SeededRandom, ZipfSampler } from './seeded-random.js';

describe('SeededRandom', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    const draw = (seed: string | number) => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 20 }, () => random.next());
    };
    expect(draw('a')).toEqual(draw('a'));
    expect(draw(1)).toEqual(draw('1'));
    expect(draw('a')).not.toEqual(draw('b'));
  });

  it('stays within its ranges', () => {
    const random = new SeededRandom('ranges');
    for (let i = 0; i < 1000; i++) {
      const value = random.next();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
      const integer = random.between(3, 5);
      expect([3, 4, 5]).toContain(integer);
    }
    expect(random.string('ab', 8)).toMatch(/^[ab]{8}$/);
    expect(random.bytes(5)).toHaveLength(5);
  });

  it('draws weighted values in proportion', () => {
    const random = new SeededRandom('weights');
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 10000; i++)
      counts[
        random.weighted([
          ['a', 3],
          ['b', 1],
        ] as const)
      ]++;
    expect(counts.a / 10000).toBeCloseTo(0.75, 1);
  });
});

describe('ZipfSampler', () => {
  it('draws rank r with probability proportional to 1/(r+1)', () => {
    const random = new SeededRandom('zipf');
    const sampler = new ZipfSampler(100);
    const counts = new Array<number>(100).fill(0);
    for (let i = 0; i < 50000; i++) counts[sampler.sample(random)]++;
    // H(100) ≈ 5.187: rank 0 gets about 19 %, rank 1 about 9.6 %, rank 9 about 1.9 %.
    expect(counts[0] / 50000).toBeCloseTo(0.193, 1);
    expect(counts[0] / counts[1]).toBeCloseTo(2, 0);
    expect(counts[0] / counts[9]).toBeGreaterThan(7);
    expect(counts.every((count) => count > 0)).toBe(true);
  });

  it('rejects an empty range', () => {
    expect(() => new ZipfSampler(0)).toThrow(RangeError);
  });
});
