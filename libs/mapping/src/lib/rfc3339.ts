/**
 * True when `time` parses with Go's `time.Parse(time.RFC3339, …)`, which v1 applies to the
 * relay `time` of every commit, identity and account (reference §2.4, §2.5): `YYYY-MM-DDTHH:MM:SS`,
 * optional fractional seconds (`.` or `,` and any number of digits, which Go accepts even though the
 * layout has none), then `Z` or `±HH:MM`; fields in range (day within its month, no leap second).
 */
export function isRfc3339(time: string): boolean {
  const match = RFC3339.exec(time);
  if (match === null) return false;
  const [, year, month, day, hour, minute, second, , offsetHour, offsetMinute] = match.map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (match[7] !== undefined && (offsetHour > 23 || offsetMinute > 59)) return false;
  return true;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,]\d+)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
