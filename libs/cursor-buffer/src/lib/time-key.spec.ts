import { clampTimeUs, encodeTimeKey, readTimeKey } from './time-key.js';

const compareBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('time keys', () => {
  it('writes time_us as 8 bytes big-endian', () => {
    expect([...encodeTimeKey(0x0102030405)]).toEqual([0, 0, 0, 0x01, 0x02, 0x03, 0x04, 0x05]);
    expect([...encodeTimeKey(1_725_911_162_329_308)]).toEqual([0x00, 0x06, 0x21, 0xb5, 0x01, 0xbe, 0x98, 0xdc]);
  });

  it('round-trips up to the largest safe integer', () => {
    for (const timeUs of [0, 1, 2 ** 32 - 1, 2 ** 32, 1_725_911_162_329_308, Number.MAX_SAFE_INTEGER]) {
      expect(readTimeKey(encodeTimeKey(timeUs))).toBe(timeUs);
    }
  });

  it('orders bytes as numbers, also where decimal strings would not (999 < 1000, 2^32 boundary)', () => {
    const ascending = [5, 999, 1000, 2 ** 32 - 1, 2 ** 32, 999_999_999_999_999, 1_000_000_000_000_000, Number.MAX_SAFE_INTEGER];
    const keys = ascending.map(encodeTimeKey);
    const sorted = [...keys].sort(compareBytes);
    expect(sorted.map((key) => readTimeKey(key))).toEqual(ascending);
  });

  it('rejects values that are not non-negative safe integers', () => {
    expect(() => encodeTimeKey(-1)).toThrow(RangeError);
    expect(() => encodeTimeKey(1.5)).toThrow(RangeError);
    expect(() => encodeTimeKey(2 ** 53)).toThrow(RangeError);
  });

  it('clamps reader positions into the key space', () => {
    expect(clampTimeUs(-5)).toBe(0);
    expect(clampTimeUs(Number.NaN)).toBe(0);
    expect(clampTimeUs(12.7)).toBe(12);
    expect(clampTimeUs(2 ** 60)).toBe(Number.MAX_SAFE_INTEGER);
  });
});
