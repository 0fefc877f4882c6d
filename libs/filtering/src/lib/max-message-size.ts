const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL_INT = /^[+-]?[0-9]+$/;

/**
 * Go's `strconv.ParseInt(text, 10, 64)`: an optional sign and decimal digits, within int64;
 * `undefined` where Go returns an error.
 */
export function parseGoInt64(text: string): bigint | undefined {
  if (!DECIMAL_INT.test(text)) return undefined;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

/**
 * `maxMessageSizeBytes` as v1's `ParseMaxMessageSizeBytes` reads it, from the query string
 * (a string) or from `options_update` (an integer already decoded): empty, not an int64, or
 * negative gives 0 (no limit); anything else is `uint32(value)`, which wraps modulo 2^32
 * (`4294967297` gives 1), a v1 quirk clients may depend on.
 */
export function parseMaxMessageSizeBytes(value: string | bigint): number {
  const integer = typeof value === 'bigint' ? value : parseGoInt64(value);
  if (integer === undefined || integer < 0n) return 0;
  return Number(BigInt.asUintN(32, integer));
}
