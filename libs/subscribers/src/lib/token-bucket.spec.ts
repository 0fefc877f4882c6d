import { TokenBucket } from './token-bucket.js';

/** The waits a caller is told for events asked for at the given times, each waited out in full. */
function schedule(bucket: TokenBucket, askedAtMs: number[]): number[] {
  return askedAtMs.map((at) => bucket.take(at));
}

describe('TokenBucket', () => {
  it('lets a full burst through at once, then spaces events at the rate', () => {
    // 4 events/s, burst 4: four now, then one every 250 ms.
    expect(schedule(new TokenBucket(4), [0, 0, 0, 0, 0, 0])).toEqual([0, 0, 0, 0, 250, 500]);
  });

  it('refills with time', () => {
    const bucket = new TokenBucket(4);
    expect(schedule(bucket, [0, 0, 0, 0])).toEqual([0, 0, 0, 0]);
    // After 500 ms two tokens are back, the third waits for the next refill.
    expect(schedule(bucket, [500, 500, 500])).toEqual([0, 0, 250]);
  });

  it('never holds more than the burst', () => {
    const bucket = new TokenBucket(2, 2);
    expect(schedule(bucket, [10_000, 10_000, 10_000])).toEqual([0, 0, 500]);
  });

  it('keeps the long-run rate when callers wake late, within the burst', () => {
    const bucket = new TokenBucket(1000, 10);
    let now = 0;
    // A caller whose timers fire 3 ms late: 10 events at once, then 1990 more at 1 per ms.
    for (let sent = 0; sent < 2000; sent++) {
      const wait = bucket.take(now);
      if (wait > 0) now += wait + 3;
    }
    expect(now).toBeGreaterThanOrEqual(1990);
    expect(now).toBeLessThanOrEqual(1994);
  });

  it('allows one event at a time below one event per second', () => {
    expect(schedule(new TokenBucket(0.5), [0, 0, 0])).toEqual([0, 2000, 4000]);
  });

  it('polices with tryTake: takes what the bucket holds now, refuses the rest without taking it', () => {
    const bucket = new TokenBucket(10);
    // 10 tokens/s, burst 10: a 6 then a 4 pass, a 1 does not; 100 ms later one is back.
    expect([bucket.tryTake(0, 6), bucket.tryTake(0, 4), bucket.tryTake(0, 1), bucket.tryTake(100, 2), bucket.tryTake(100, 1)]).toEqual([
      true,
      true,
      false,
      false,
      true,
    ]);
    expect(new TokenBucket(10).tryTake(0, 11)).toBe(false);
  });

  it('rejects a rate that is not positive', () => {
    expect(() => new TokenBucket(0)).toThrow(RangeError);
    expect(() => new TokenBucket(Number.NaN)).toThrow(RangeError);
  });
});
