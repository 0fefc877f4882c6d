/**
 * Query-string parsing as Go's `url.ParseQuery` does it, which is what v1 (Echo on net/http)
 * sees: `&`-separated pairs, `+` as space, and pairs that hold a `;` or a bad `%` escape are
 * skipped rather than kept (WHATWG `URLSearchParams` keeps both).
 */

const utf8 = new TextDecoder();
const PERCENT = 0x25;
const PLUS = 0x2b;
const SPACE = 0x20;

/** Every value of every key, in request order, as Go's `url.Values`. */
export function parseGoQuery(rawQuery: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const pair of rawQuery.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const equals = pair.indexOf('=');
    const key = goQueryUnescape(equals < 0 ? pair : pair.slice(0, equals));
    const value = goQueryUnescape(equals < 0 ? '' : pair.slice(equals + 1));
    if (key === undefined || value === undefined) continue;
    const list = values.get(key);
    if (list) list.push(value);
    else values.set(key, [value]);
  }
  return values;
}

/**
 * The raw query of a request target as Go's `ParseRequestURI` splits it: everything after the
 * first `?` (a `#` stays part of the query; browsers never send fragments). A `URL` gives its
 * `search`.
 */
export function rawQueryOf(url: URL | string): string {
  if (typeof url !== 'string') return url.search.slice(1);
  const question = url.indexOf('?');
  return question < 0 ? '' : url.slice(question + 1);
}

/** `url.QueryUnescape`: `undefined` where Go returns an error. */
function goQueryUnescape(text: string): string | undefined {
  const input = requestBytes(text);
  const output = new Uint8Array(input.length);
  let length = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i] as number;
    if (byte === PERCENT) {
      const high = hexValue(input[i + 1]);
      const low = hexValue(input[i + 2]);
      if (high < 0 || low < 0) return undefined;
      output[length++] = high * 16 + low;
      i += 2;
    } else {
      output[length++] = byte === PLUS ? SPACE : byte;
    }
  }
  return utf8.decode(output.subarray(0, length));
}

/**
 * Node hands `req.url` over with one character per request byte (latin1), so 8-bit text is
 * turned back into those bytes; text with wider characters came from elsewhere and is UTF-8.
 */
function requestBytes(text: string): Uint8Array {
  return Buffer.from(text, /[\u0100-\uffff]/.test(text) ? 'utf8' : 'latin1');
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}
