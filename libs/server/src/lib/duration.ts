const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const COMPONENT = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * Parses a Go `time.Duration` string, as v1's flags take them (`24h`, `15s`, `1h30m`, `500ms`,
 * `1.5h`, `0`), into milliseconds.
 *
 * @example
 * import { parseGoDuration } from '@jetstream-ts/server';
 *
 * parseGoDuration('1h30m'); // 5400000
 *
 * @param text The duration text.
 * @return Milliseconds, or undefined when `text` is not a Go duration.
 */
export function parseGoDuration(text: string): number | undefined {
  const signed = /^[+-]/.test(text);
  const sign = text.startsWith('-') ? -1 : 1;
  const body = signed ? text.slice(1) : text;
  if (body === '0') return 0;
  if (body === '') return undefined;
  let total = 0;
  COMPONENT.lastIndex = 0;
  while (COMPONENT.lastIndex < body.length) {
    const start = COMPONENT.lastIndex;
    const match = COMPONENT.exec(body);
    if (match === null || match.index !== start) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  return sign * total;
}
