/**
 * True when `time` parses with Go's `time.Parse(time.RFC3339, …)`, which v1 applies to the
 * relay `time` of every commit, identity and account (reference §2.4, §2.5): `YYYY-MM-DDTHH:MM:SS`,
 * optional fractional seconds (`.` or `,` and any number of digits, which Go accepts even though
 * the layout has none), then `Z` or `±HH:MM`; fields in range (day within its month, no leap
 * second). Checked character by character: it runs once per event.
 */
export function isRfc3339(time: string): boolean {
  const length = time.length;
  if (length < 20) return false;
  const year = digits(time, 0, 4);
  const month = digits(time, 5, 2);
  const day = digits(time, 8, 2);
  const hour = digits(time, 11, 2);
  const minute = digits(time, 14, 2);
  const second = digits(time, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  if (time[4] !== '-' || time[7] !== '-' || time[10] !== 'T' || time[13] !== ':' || time[16] !== ':') return false;
  let pos = 19;
  if (time[pos] === '.' || time[pos] === ',') {
    const fractionStart = ++pos;
    while (pos < length && isDigit(time.charCodeAt(pos))) pos++;
    if (pos === fractionStart) return false;
  }
  if (pos === length - 1) return time[pos] === 'Z';
  if (pos !== length - 6 || (time[pos] !== '+' && time[pos] !== '-') || time[pos + 3] !== ':') return false;
  const offsetHour = digits(time, pos + 1, 2);
  const offsetMinute = digits(time, pos + 4, 2);
  return offsetHour >= 0 && offsetHour <= 23 && offsetMinute >= 0 && offsetMinute <= 59;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** The decimal number in `text[start, start + count)`, or -1 when a character is not a digit. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const code = text.charCodeAt(i);
    if (!isDigit(code)) return -1;
    value = value * 10 + (code - 0x30);
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
