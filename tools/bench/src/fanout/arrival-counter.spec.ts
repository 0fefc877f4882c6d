import { ArrivalCounter } from './arrival-counter.js';

describe('ArrivalCounter', () => {
  it('counts the arrivals at or after an instant, to the millisecond', () => {
    const arrivals = new ArrivalCounter(100);
    for (const atMs of [100, 100.9, 250.1, 250.8, 251, 9000]) arrivals.add(atMs);
    expect(arrivals.countSince(0)).toBe(6);
    expect(arrivals.countSince(100)).toBe(6);
    expect(arrivals.countSince(101)).toBe(4);
    // 250.1 and 250.8 share the millisecond of 250.5.
    expect(arrivals.countSince(250.5)).toBe(4);
    expect(arrivals.countSince(251)).toBe(2);
    expect(arrivals.countSince(8999.5)).toBe(1);
    expect(arrivals.countSince(9001)).toBe(0);
  });

  it('grows past its first buckets without losing the earlier ones', () => {
    const arrivals = new ArrivalCounter(0);
    arrivals.add(5);
    arrivals.add(60_000);
    arrivals.add(200_000);
    expect(arrivals.countSince(0)).toBe(3);
    expect(arrivals.countSince(6)).toBe(2);
    expect(arrivals.countSince(60_001)).toBe(1);
  });

  it('counts an arrival before the origin as at the origin, and nothing in an empty counter', () => {
    const arrivals = new ArrivalCounter(50);
    expect(arrivals.countSince(0)).toBe(0);
    arrivals.add(10);
    expect(arrivals.countSince(50)).toBe(1);
    expect(arrivals.countSince(51)).toBe(0);
  });
});
