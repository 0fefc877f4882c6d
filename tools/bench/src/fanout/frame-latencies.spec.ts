import { FrameLatencies } from './frame-latencies.js';

function recorder(): { values: number[]; record(value: number): void } {
  const values: number[] = [];
  return { values, record: (value) => values.push(value) };
}

describe('FrameLatencies', () => {
  it('records a message of a frame already sent at once', () => {
    const histogram = recorder();
    const latencies = new FrameLatencies(3, histogram);
    latencies.sent(1, 100);
    latencies.received(1, 130);
    expect(histogram.values).toEqual([30]);
    expect(latencies.waiting).toBe(0);
  });

  it('holds messages that came before their send time, once each, until that frame is sent', () => {
    const histogram = recorder();
    const latencies = new FrameLatencies(3, histogram);
    latencies.received(2, 50);
    latencies.received(0, 40);
    latencies.received(2, 55);
    expect(latencies.waiting).toBe(3);
    latencies.sent(1, 10); // nothing waits for frame 1
    expect(histogram.values).toEqual([]);
    latencies.sent(2, 45);
    expect(histogram.values.sort((a, b) => a - b)).toEqual([5, 10]);
    expect(latencies.waiting).toBe(1);
    latencies.sent(0, 38);
    expect(histogram.values.sort((a, b) => a - b)).toEqual([2, 5, 10]);
    expect(latencies.waiting).toBe(0);
  });

  it('keeps every waiting message when more wait than it first made room for, and reuses freed room', () => {
    const histogram = recorder();
    const half = 3000;
    const latencies = new FrameLatencies(2 * half, histogram);
    for (const first of [0, half]) {
      for (let frame = first; frame < first + half; frame++) latencies.received(frame, frame + 7);
      expect(latencies.waiting).toBe(half);
      for (let frame = first; frame < first + half; frame++) latencies.sent(frame, frame);
      expect(latencies.waiting).toBe(0);
    }
    expect(histogram.values).toHaveLength(2 * half);
    expect(histogram.values.every((value) => value === 7)).toBe(true);
    expect(latencies.waiting).toBe(0);
  });
});
