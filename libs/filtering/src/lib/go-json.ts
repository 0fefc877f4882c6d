/**
 * Just enough of Go's `encoding/json` to answer client messages the way v1 does: the syntax
 * check with Go's exact error texts (they end up in close reasons), and a reader of the parsed
 * value that reports type mismatches as `json.UnmarshalTypeError` words them.
 */

const MAX_NESTING_DEPTH = 10000;

/** Go's `checkValid`: the `SyntaxError` text for `json`, or `undefined` when it is valid JSON. */
export function goJsonSyntaxError(json: Uint8Array): string | undefined {
  const scanner = new GoJsonScanner();
  for (const byte of json) {
    scanner.step(byte);
    if (scanner.failed()) return scanner.error;
  }
  return scanner.end();
}

type ParseState = 'objectKey' | 'objectValue' | 'arrayValue';
type Step = (scanner: GoJsonScanner, byte: number) => void;

/** A port of Go's byte-at-a-time JSON scanner (`encoding/json/scanner.go`), errors only. */
class GoJsonScanner {
  stepFn: Step = beginValue;
  readonly parseState: ParseState[] = [];
  endTop = false;
  error: string | undefined;

  step(byte: number): void {
    this.stepFn(this, byte);
  }

  failed(): boolean {
    return this.stepFn === stateError;
  }

  end(): string | undefined {
    if (this.error !== undefined) return this.error;
    if (this.endTop) return undefined;
    // Go feeds a space so that a number or a literal at the very end gets finished (or rejected).
    this.step(0x20);
    if (this.endTop || this.error !== undefined) return this.error;
    return 'unexpected end of JSON input';
  }

  fail(byte: number, context: string): void {
    this.stepFn = stateError;
    this.error = `invalid character ${quoteChar(byte)} ${context}`;
  }

  push(byte: number, state: ParseState, next: Step): void {
    this.parseState.push(state);
    if (this.parseState.length <= MAX_NESTING_DEPTH) this.stepFn = next;
    else this.fail(byte, 'exceeded max depth');
  }

  pop(): void {
    this.parseState.pop();
    if (this.parseState.length === 0) {
      this.stepFn = endTop;
      this.endTop = true;
    } else {
      this.stepFn = endValue;
    }
  }
}

const isSpace = (byte: number): boolean => byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0a;
const isDigit = (byte: number): boolean => byte >= 0x30 && byte <= 0x39;
const isHex = (byte: number): boolean => isDigit(byte) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66);
const code = (char: string): number => char.charCodeAt(0);

function stateError(): void {
  // Stays failed; the first error is the one reported.
}

function beginValueOrEmpty(s: GoJsonScanner, byte: number): void {
  if (isSpace(byte)) return;
  if (byte === code(']')) endValue(s, byte);
  else beginValue(s, byte);
}

function beginValue(s: GoJsonScanner, byte: number): void {
  if (isSpace(byte)) return;
  switch (String.fromCharCode(byte)) {
    case '{':
      return s.push(byte, 'objectKey', beginStringOrEmpty);
    case '[':
      return s.push(byte, 'arrayValue', beginValueOrEmpty);
    case '"':
      s.stepFn = inString;
      return;
    case '-':
      s.stepFn = negative;
      return;
    case '0':
      s.stepFn = zero;
      return;
    case 't':
      s.stepFn = literal('true', 1);
      return;
    case 'f':
      s.stepFn = literal('false', 1);
      return;
    case 'n':
      s.stepFn = literal('null', 1);
      return;
  }
  if (byte >= code('1') && byte <= code('9')) s.stepFn = digits;
  else s.fail(byte, 'looking for beginning of value');
}

function beginStringOrEmpty(s: GoJsonScanner, byte: number): void {
  if (isSpace(byte)) return;
  if (byte === code('}')) {
    s.parseState[s.parseState.length - 1] = 'objectValue';
    endValue(s, byte);
  } else {
    beginString(s, byte);
  }
}

function beginString(s: GoJsonScanner, byte: number): void {
  if (isSpace(byte)) return;
  if (byte === code('"')) s.stepFn = inString;
  else s.fail(byte, 'looking for beginning of object key string');
}

function endValue(s: GoJsonScanner, byte: number): void {
  const depth = s.parseState.length;
  if (depth === 0) {
    s.stepFn = endTop;
    s.endTop = true;
    endTop(s, byte);
    return;
  }
  if (isSpace(byte)) {
    s.stepFn = endValue;
    return;
  }
  switch (s.parseState[depth - 1]) {
    case 'objectKey':
      if (byte !== code(':')) return s.fail(byte, 'after object key');
      s.parseState[depth - 1] = 'objectValue';
      s.stepFn = beginValue;
      return;
    case 'objectValue':
      if (byte === code(',')) {
        s.parseState[depth - 1] = 'objectKey';
        s.stepFn = beginString;
      } else if (byte === code('}')) {
        s.pop();
      } else {
        s.fail(byte, 'after object key:value pair');
      }
      return;
    case 'arrayValue':
      if (byte === code(',')) s.stepFn = beginValue;
      else if (byte === code(']')) s.pop();
      else s.fail(byte, 'after array element');
      return;
  }
}

function endTop(s: GoJsonScanner, byte: number): void {
  if (!isSpace(byte)) s.fail(byte, 'after top-level value');
}

function inString(s: GoJsonScanner, byte: number): void {
  if (byte === code('"')) s.stepFn = endValue;
  else if (byte === code('\\')) s.stepFn = inStringEscape;
  else if (byte < 0x20) s.fail(byte, 'in string literal');
}

function inStringEscape(s: GoJsonScanner, byte: number): void {
  if ('bfnrt\\/"'.includes(String.fromCharCode(byte))) s.stepFn = inString;
  else if (byte === code('u')) s.stepFn = unicodeEscape(0);
  else s.fail(byte, 'in string escape code');
}

function unicodeEscape(seen: number): Step {
  return (s, byte) => {
    if (!isHex(byte)) return s.fail(byte, 'in \\u hexadecimal character escape');
    s.stepFn = seen === 3 ? inString : unicodeEscape(seen + 1);
  };
}

function negative(s: GoJsonScanner, byte: number): void {
  if (byte === code('0')) s.stepFn = zero;
  else if (byte >= code('1') && byte <= code('9')) s.stepFn = digits;
  else s.fail(byte, 'in numeric literal');
}

function digits(s: GoJsonScanner, byte: number): void {
  if (isDigit(byte)) return;
  zero(s, byte);
}

function zero(s: GoJsonScanner, byte: number): void {
  if (byte === code('.')) s.stepFn = dot;
  else if (byte === code('e') || byte === code('E')) s.stepFn = exponent;
  else endValue(s, byte);
}

function dot(s: GoJsonScanner, byte: number): void {
  if (isDigit(byte)) s.stepFn = fraction;
  else s.fail(byte, 'after decimal point in numeric literal');
}

function fraction(s: GoJsonScanner, byte: number): void {
  if (isDigit(byte)) return;
  if (byte === code('e') || byte === code('E')) s.stepFn = exponent;
  else endValue(s, byte);
}

function exponent(s: GoJsonScanner, byte: number): void {
  if (byte === code('+') || byte === code('-')) s.stepFn = exponentSign;
  else exponentSign(s, byte);
}

function exponentSign(s: GoJsonScanner, byte: number): void {
  if (isDigit(byte)) s.stepFn = exponentDigits;
  else s.fail(byte, 'in exponent of numeric literal');
}

function exponentDigits(s: GoJsonScanner, byte: number): void {
  if (!isDigit(byte)) endValue(s, byte);
}

/** The states inside `true`, `false` and `null`, after the first letter. */
function literal(word: string, index: number): Step {
  return (s, byte) => {
    const expected = word.charCodeAt(index);
    if (byte !== expected) return s.fail(byte, `in literal ${word} (expecting ${quoteChar(expected)})`);
    s.stepFn = index === word.length - 1 ? endValue : literal(word, index + 1);
  };
}

/** Go's `quoteChar`: a byte shown as `strconv.Quote` shows the rune of the same number. */
function quoteChar(byte: number): string {
  if (byte === code("'")) return "'\\''";
  if (byte === code('"')) return `'"'`;
  return `'${quoteRune(byte)}'`;
}

const NAMED_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

function quoteRune(rune: number): string {
  if (rune === code('\\')) return '\\\\';
  // Go's IsPrint for runes below 256: ASCII graphics and space, and Latin-1 from U+00A1 except U+00AD.
  if ((rune >= 0x20 && rune < 0x7f) || (rune >= 0xa1 && rune !== 0xad)) return String.fromCharCode(rune);
  const named = NAMED_ESCAPES[rune];
  if (named) return named;
  if (rune < 0x20 || rune === 0x7f) return `\\x${rune.toString(16).padStart(2, '0')}`;
  return `\\u${rune.toString(16).padStart(4, '0')}`;
}

/** A JSON value located in the input; only meaningful for input that passed the syntax check. */
export interface GoJsonValue {
  kind: 'object' | 'array' | 'string' | 'number' | 'bool' | 'null';
  /** Byte offsets of the value's text. */
  start: number;
  end: number;
}

const utf8 = new TextDecoder();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Reads a syntactically valid JSON document (check it with `goJsonSyntaxError` first) without
 * building a tree: callers walk what they need, as Go's decoder does against a struct.
 */
export class GoJsonReader {
  constructor(readonly json: Uint8Array) {}

  /** The top-level value. */
  root(): GoJsonValue {
    return this.valueAt(this.skipSpace(0));
  }

  /** Members of an object in document order, keys decoded (duplicates kept, as Go visits them). */
  *members(object: GoJsonValue): Generator<[string, GoJsonValue]> {
    let at = object.start + 1;
    for (;;) {
      at = this.skipSpace(at);
      if (this.json[at] === code('}')) return;
      const key = this.valueAt(at);
      const value = this.valueAt(this.skipSpace(this.skipSpace(key.end) + 1));
      yield [this.text(key), value];
      at = this.skipSpace(value.end);
      if (this.json[at] === code(',')) at++;
    }
  }

  /** Elements of an array in order. */
  *elements(array: GoJsonValue): Generator<GoJsonValue> {
    let at = array.start + 1;
    for (;;) {
      at = this.skipSpace(at);
      if (this.json[at] === code(']')) return;
      const element = this.valueAt(at);
      yield element;
      at = this.skipSpace(element.end);
      if (this.json[at] === code(',')) at++;
    }
  }

  /** A string value decoded as Go does (invalid UTF-8 and lone surrogates become U+FFFD). */
  text(value: GoJsonValue): string {
    return (JSON.parse(utf8.decode(this.raw(value))) as string).replace(LONE_SURROGATE, '\uFFFD');
  }

  raw(value: GoJsonValue): Uint8Array {
    return this.json.subarray(value.start, value.end);
  }

  private valueAt(start: number): GoJsonValue {
    const first = this.json[start];
    switch (first) {
      case code('{'):
        return { kind: 'object', start, end: this.closing(start) };
      case code('['):
        return { kind: 'array', start, end: this.closing(start) };
      case code('"'):
        return { kind: 'string', start, end: this.stringEnd(start) };
      case code('t'):
        return { kind: 'bool', start, end: start + 4 };
      case code('f'):
        return { kind: 'bool', start, end: start + 5 };
      case code('n'):
        return { kind: 'null', start, end: start + 4 };
      default:
        return { kind: 'number', start, end: this.numberEnd(start) };
    }
  }

  private closing(start: number): number {
    let depth = 0;
    for (let at = start; at < this.json.length; at++) {
      const byte = this.json[at];
      if (byte === code('"')) at = this.stringEnd(at) - 1;
      else if (byte === code('{') || byte === code('[')) depth++;
      else if ((byte === code('}') || byte === code(']')) && --depth === 0) return at + 1;
    }
    return this.json.length;
  }

  private stringEnd(start: number): number {
    for (let at = start + 1; at < this.json.length; at++) {
      const byte = this.json[at];
      if (byte === code('\\')) at++;
      else if (byte === code('"')) return at + 1;
    }
    return this.json.length;
  }

  private numberEnd(start: number): number {
    let at = start;
    while (at < this.json.length && '+-0123456789.eE'.includes(String.fromCharCode(this.json[at] as number))) at++;
    return at;
  }

  private skipSpace(at: number): number {
    while (at < this.json.length && isSpace(this.json[at] as number)) at++;
    return at;
  }
}

/**
 * Go's field matching: the exact JSON name first, else a case-insensitive match (Go folds
 * `ſ` to `s` and the Kelvin sign to `k`, which upper-casing after lower-casing also does).
 */
export function goFieldFor<F extends string>(key: string, fields: readonly F[]): F | undefined {
  const exact = fields.find((field) => field === key);
  if (exact) return exact;
  const folded = foldName(key);
  return fields.find((field) => foldName(field) === folded);
}

function foldName(name: string): string {
  return name.toLowerCase().toUpperCase();
}

/** `json.UnmarshalTypeError.Error()` for a value of `kind` decoded into a struct field. */
export function goFieldTypeError(value: string, struct: string, field: string, goType: string): string {
  return `json: cannot unmarshal ${value} into Go struct field ${struct}.${field} of type ${goType}`;
}

/** `json.UnmarshalTypeError.Error()` for a top-level value of the wrong kind. */
export function goValueTypeError(value: string, goType: string): string {
  return `json: cannot unmarshal ${value} into Go value of type ${goType}`;
}
