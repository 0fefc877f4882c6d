import { collect, integerAtLeast, parseDuration, parseJetstreamUrl } from './option-parsers.js';

describe('option parsers', () => {
  it('read durations with units, a bare number as seconds', () => {
    expect(['500ms', '30s', '5m', '2h', '1d', '1.5', '90'].map(parseDuration)).toEqual([500, 30_000, 300_000, 7_200_000, 86_400_000, 1500, 90_000]);
    for (const bad of ['', '5 minutes', '-1s', '0s', 'm']) expect(() => parseDuration(bad)).toThrow('expected a duration such as 30s, 5m, 2h or 1d');
  });

  it('read whole numbers with a floor, repeated options, and Jetstream URLs', () => {
    expect(integerAtLeast(0)('0')).toBe(0);
    expect(() => integerAtLeast(1)('0')).toThrow('expected a whole number of at least 1');
    expect(() => integerAtLeast(0)('1e3')).toThrow();
    expect(collect('b', collect('a'))).toEqual(['a', 'b']);
    expect(parseJetstreamUrl('wss://jetstream.example')).toBe('wss://jetstream.example');
    expect(() => parseJetstreamUrl('ftp://h')).toThrow('not a WebSocket URL');
  });
});
