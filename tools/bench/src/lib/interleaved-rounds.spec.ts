import { median, runInterleavedRounds, type Contestant } from './interleaved-rounds.js';

describe('runInterleavedRounds', () => {
  it('runs warm-ups, then times each contestant once per round in turn, over every frame', async () => {
    const calls: string[] = [];
    let clock = 0;
    let cpuClock = 0;
    const contestant = (id: string, msPerFrame: number, asynchronous = false): Contestant => ({
      id,
      name: id,
      processFrame: (frame) => {
        calls.push(`${id}${frame[0]}`);
        clock += msPerFrame;
        cpuClock += msPerFrame / 2;
        return asynchronous ? Promise.resolve(frame.length) : frame.length;
      },
    });
    const frames = [Uint8Array.of(1), Uint8Array.of(2, 2)];
    const timings = await runInterleavedRounds([contestant('a', 3, true), contestant('b', 1)], frames, {
      warmupRounds: 1,
      rounds: 2,
      now: () => clock,
      cpuNow: () => cpuClock,
    });

    expect(calls.join(' ')).toBe('a1 a2 b1 b2 a1 a2 b1 b2 a1 a2 b1 b2');
    expect(
      timings.map(({ contestant: { id }, roundsMs, roundsCpuMs, outputBytes }) => ({
        id,
        roundsMs,
        roundsCpuMs,
        outputBytes,
      })),
    ).toEqual([
      { id: 'a', roundsMs: [6, 6], roundsCpuMs: [3, 3], outputBytes: 3 },
      { id: 'b', roundsMs: [2, 2], roundsCpuMs: [1, 1], outputBytes: 3 },
    ]);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });
});
