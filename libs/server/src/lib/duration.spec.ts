import { parseGoDuration } from './duration.js';

describe('parseGoDuration', () => {
  it.each([
    ['24h', 86_400_000],
    ['15s', 15_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['2h45m30.5s', 9_930_500],
    ['0', 0],
    ['-1s', -1000],
    ['1500us', 1.5],
    ['.5s', 500],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(['', '15', 'abc', '1d', '1h 30m', 's', '1.2.3s', 'h1'])('rejects %j', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});
