import { reconnectDelay } from './reconnect-delay.js';

describe('reconnectDelay', () => {
  it('doubles from 250 ms to a 30 s cap, jittered into [0.5, 1) of the nominal delay', () => {
    expect([0, 1, 2, 3].map((attempt) => reconnectDelay(attempt, {}, () => 0))).toEqual([125, 250, 500, 1000]);
    expect(reconnectDelay(0, {}, () => 0.999999)).toBe(250);
    expect(reconnectDelay(7, {}, () => 0.5)).toBe(22500);
    expect(reconnectDelay(1000, {}, () => 0.5)).toBe(22500);
    expect(reconnectDelay(2, { initialDelayMs: 10, maxDelayMs: 30 }, () => 0)).toBe(15);
  });
});
