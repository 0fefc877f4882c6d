/**
 * A growable byte buffer that writes JSON the way Go's `encoding/json` and goccy/go-json do
 * (v1's encoders): strings with `<`, `>`, `&`, U+2028 and U+2029 escaped, `\n` `\r` `\t` as
 * short escapes and other control characters as `\u00XX` (`\b` and `\f` included), `/` and
 * DEL kept, non-ASCII text as raw UTF-8, and each invalid UTF-8 byte as `\ufffd`.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX = '0123456789abcdef';
const INITIAL_CAPACITY = 16 * 1024;

/** For each ASCII byte: 0 when it is written as is, else the escape's second character (`u` for \u00XX). */
const ASCII_ESCAPE = new Uint8Array(128);
for (let byte = 0; byte < 0x20; byte++) ASCII_ESCAPE[byte] = 0x75;
ASCII_ESCAPE[0x0a] = 0x6e; // \n
ASCII_ESCAPE[0x0d] = 0x72; // \r
ASCII_ESCAPE[0x09] = 0x74; // \t
ASCII_ESCAPE[QUOTE] = QUOTE;
ASCII_ESCAPE[BACKSLASH] = BACKSLASH;
ASCII_ESCAPE[0x3c] = 0x75; // <
ASCII_ESCAPE[0x3e] = 0x75; // >
ASCII_ESCAPE[0x26] = 0x75; // &

/** 1 for the bytes written as they are: ASCII that needs no escape. */
const PLAIN_BYTE = new Uint8Array(256);
for (let byte = 0; byte < 0x80; byte++) PLAIN_BYTE[byte] = ASCII_ESCAPE[byte] === 0 ? 1 : 0;

/** True when the ASCII byte must be escaped in a JSON string. */
export function asciiNeedsEscape(byte: number): boolean {
  return ASCII_ESCAPE[byte] !== 0;
}

/**
 * Length of the valid UTF-8 sequence starting at `pos` (a byte >= 0x80), by Go's
 * `utf8.DecodeRune` rules (no overlongs, no surrogates, at most U+10FFFF), or 0 when invalid.
 */
export function utf8SequenceLength(bytes: Uint8Array, pos: number, end: number): number {
  const lead = bytes[pos];
  if (lead < 0xc2 || lead > 0xf4) return 0;
  if (lead < 0xe0) return pos + 1 < end && (bytes[pos + 1] & 0xc0) === 0x80 ? 2 : 0;
  const second = pos + 1 < end ? bytes[pos + 1] : 0;
  const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
  const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
  if (second < low || second > high) return 0;
  if (pos + 2 >= end || (bytes[pos + 2] & 0xc0) !== 0x80) return 0;
  if (lead < 0xf0) return 3;
  return pos + 3 < end && (bytes[pos + 3] & 0xc0) === 0x80 ? 4 : 0;
}

/** True when the 3-byte sequence at `pos` is U+2028 or U+2029 (E2 80 A8/A9), which Go escapes. */
function isLineOrParagraphSeparator(bytes: Uint8Array, pos: number): boolean {
  return bytes[pos] === 0xe2 && bytes[pos + 1] === 0x80 && (bytes[pos + 2] & 0xfe) === 0xa8;
}

export class JsonWriter {
  buffer: Buffer = Buffer.allocUnsafe(INITIAL_CAPACITY);
  length = 0;
  /** False once a non-ASCII byte was written (then the text must be decoded as UTF-8). */
  ascii = true;

  reset(): void {
    this.length = 0;
    this.ascii = true;
  }

  /** Makes room for `count` more bytes. */
  reserve(count: number): void {
    const needed = this.length + count;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = Buffer.allocUnsafe(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  byte(byte: number): void {
    this.reserve(1);
    this.buffer[this.length++] = byte;
  }

  /** Text known to be ASCII and to need no escaping (punctuation, keys, digits). */
  raw(text: string): void {
    const count = text.length;
    this.reserve(count);
    const { buffer } = this;
    let length = this.length;
    for (let i = 0; i < count; i++) buffer[length++] = text.charCodeAt(i);
    this.length = length;
  }

  /** Bytes copied as they are (already JSON). */
  rawBytes(bytes: Uint8Array, start: number, end: number): void {
    const count = end - start;
    this.reserve(count);
    const { buffer } = this;
    if (count > 32) buffer.set(bytes.subarray(start, end), this.length);
    else for (let i = start, at = this.length; i < end; i++, at++) buffer[at] = bytes[i];
    this.length += count;
  }

  /** Text already in JSON form (a `RecordJson`), UTF-8 encoded (natively: one call, no loop). */
  rawText(text: string): void {
    this.reserve(text.length * 3);
    const written = this.buffer.write(text, this.length, 'utf8');
    if (written !== text.length) this.ascii = false;
    this.length += written;
  }

  /** A non-negative or negative safe integer, or any integer given as a bigint. */
  integer(value: number | bigint): void {
    this.raw(typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : BigInt(value).toString());
  }

  /** A JS string as a quoted, escaped JSON string. */
  string(text: string): void {
    const count = text.length;
    // Worst case per UTF-16 unit: 6 bytes (\u00XX or \u2028).
    this.reserve(count * 6 + 2);
    const { buffer } = this;
    let length = this.length;
    buffer[length++] = QUOTE;
    for (let i = 0; i < count; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x80) {
        if (ASCII_ESCAPE[code] === 0) buffer[length++] = code;
        else length = writeAsciiEscape(buffer, length, code);
      } else if (code < 0x800) {
        buffer[length++] = 0xc0 | (code >> 6);
        buffer[length++] = 0x80 | (code & 0x3f);
        this.ascii = false;
      } else if (code === 0x2028 || code === 0x2029) {
        length = writeUnicodeEscape(buffer, length, code);
      } else if (code >= 0xd800 && code <= 0xdfff) {
        const next = i + 1 < count ? text.charCodeAt(i + 1) : 0;
        if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          const point = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
          buffer[length++] = 0xf0 | (point >> 18);
          buffer[length++] = 0x80 | ((point >> 12) & 0x3f);
          buffer[length++] = 0x80 | ((point >> 6) & 0x3f);
          buffer[length++] = 0x80 | (point & 0x3f);
          i++;
        } else {
          // A lone surrogate cannot come from UTF-8; write U+FFFD as the UTF-8 encoders do.
          buffer[length++] = 0xef;
          buffer[length++] = 0xbf;
          buffer[length++] = 0xbd;
        }
        this.ascii = false;
      } else {
        buffer[length++] = 0xe0 | (code >> 12);
        buffer[length++] = 0x80 | ((code >> 6) & 0x3f);
        buffer[length++] = 0x80 | (code & 0x3f);
        this.ascii = false;
      }
    }
    buffer[length++] = QUOTE;
    this.length = length;
  }

  /** UTF-8 bytes (possibly invalid) as a quoted, escaped JSON string. */
  utf8String(bytes: Uint8Array, start: number, end: number): void {
    this.byte(QUOTE);
    this.utf8StringContent(bytes, start, end);
    this.byte(QUOTE);
  }

  /** The escaped content of a JSON string, without the quotes. */
  utf8StringContent(bytes: Uint8Array, start: number, end: number): void {
    // Worst case per byte: 6 bytes (\u00XX, or \ufffd for an invalid byte).
    this.reserve((end - start) * 6);
    const { buffer } = this;
    let length = this.length;
    let i = start;
    while (i < end) {
      const byte = bytes[i];
      if (PLAIN_BYTE[byte] === 1) {
        buffer[length++] = byte;
        i++;
        continue;
      }
      if (byte < 0x80) {
        length = writeAsciiEscape(buffer, length, byte);
        i++;
        continue;
      }
      const sequence = utf8SequenceLength(bytes, i, end);
      if (sequence === 0) {
        length = writeUnicodeEscape(buffer, length, 0xfffd);
        i++;
      } else if (sequence === 3 && isLineOrParagraphSeparator(bytes, i)) {
        length = writeUnicodeEscape(buffer, length, bytes[i + 2] === 0xa8 ? 0x2028 : 0x2029);
        i += 3;
      } else {
        for (let k = 0; k < sequence; k++) buffer[length++] = bytes[i + k];
        i += sequence;
        this.ascii = false;
      }
    }
    this.length = length;
  }

  /** The written text as a string. */
  text(): string {
    return this.buffer.toString(this.ascii ? 'latin1' : 'utf8', 0, this.length);
  }

  /**
   * A copy of the written bytes. `Buffer.allocUnsafe` takes small copies from Node's shared
   * pool, several times cheaper than a fresh `Uint8Array` per event.
   */
  bytes(): Uint8Array {
    const copy = Buffer.allocUnsafe(this.length);
    this.buffer.copy(copy, 0, 0, this.length);
    return copy;
  }
}

function writeAsciiEscape(buffer: Uint8Array, length: number, byte: number): number {
  const escape = ASCII_ESCAPE[byte];
  if (escape === 0x75) return writeUnicodeEscape(buffer, length, byte);
  buffer[length] = BACKSLASH;
  buffer[length + 1] = escape;
  return length + 2;
}

function writeUnicodeEscape(buffer: Uint8Array, length: number, code: number): number {
  buffer[length] = BACKSLASH;
  buffer[length + 1] = 0x75;
  buffer[length + 2] = HEX.charCodeAt((code >> 12) & 0xf);
  buffer[length + 3] = HEX.charCodeAt((code >> 8) & 0xf);
  buffer[length + 4] = HEX.charCodeAt((code >> 4) & 0xf);
  buffer[length + 5] = HEX.charCodeAt(code & 0xf);
  return length + 6;
}
