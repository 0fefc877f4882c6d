import { truncateCloseReason } from './close-reason.js';

const bytes = (text: string): number => new TextEncoder().encode(text).length;

describe('truncateCloseReason', () => {
  it('keeps reasons of up to 123 bytes', () => {
    expect(truncateCloseReason('x'.repeat(123))).toBe('x'.repeat(123));
  });

  it('cuts ASCII at 123 bytes', () => {
    expect(truncateCloseReason('x'.repeat(124))).toBe('x'.repeat(123));
  });

  it('never splits a character', () => {
    // 121 ASCII bytes then a 3-byte character: it would end at byte 124, so it goes.
    expect(truncateCloseReason(`${'x'.repeat(121)}€€`)).toBe('x'.repeat(121));
    // 119 + 4: a 4-byte character ending exactly at byte 123 stays.
    const emoji = `${'x'.repeat(119)}😀😀`;
    expect(truncateCloseReason(emoji)).toBe(`${'x'.repeat(119)}😀`);
    expect(bytes(truncateCloseReason(emoji))).toBe(123);
  });
});
