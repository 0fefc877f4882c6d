import { parseOptionsUpdate } from './options-update.js';

const MESSAGE = 'failed to unmarshal subscriber sourced message: ';
const UPDATE = 'failed to unmarshal subscriber options update: ';
const OPTIONS = 'failed to parse subscriber options: ';

/** The close for `detail`; these reasons are ASCII, so the 123-byte cut is 123 characters. */
const closed = (code: number, detail: string) => ({ kind: 'close', code, reason: detail.slice(0, 123), detail });
const update = (payload: string): string => `{"type":"options_update","payload":${payload}}`;

describe('parseOptionsUpdate', () => {
  it('replaces the filters and the size cap', () => {
    expect(
      parseOptionsUpdate(
        update('{"wantedCollections":["app.bsky.feed.post","app.bsky.graph.*"],"wantedDids":["did:plc:abcdefghijklmnopqrstuvwx"],"maxMessageSizeBytes":1000}'),
      ),
    ).toEqual({
      kind: 'update',
      filter: {
        wantedCollections: { exact: new Set(['app.bsky.feed.post']), prefixes: ['app.bsky.graph.'] },
        wantedDids: new Set(['did:plc:abcdefghijklmnopqrstuvwx']),
      },
      maxMessageSizeBytes: 1000,
    });
  });

  it('clears every filter for empty arrays, absent fields and a null payload', () => {
    const cleared = { kind: 'update', filter: { wantedCollections: null, wantedDids: new Set() }, maxMessageSizeBytes: 0 };
    expect(parseOptionsUpdate(update('{"wantedCollections":[],"wantedDids":null}'))).toEqual(cleared);
    expect(parseOptionsUpdate(update('{}'))).toEqual(cleared);
    expect(parseOptionsUpdate(update('null'))).toEqual(cleared);
  });

  it('matches field names case-insensitively and ignores unknown fields, as Go does', () => {
    const result = parseOptionsUpdate(
      '{"TYPE":"options_update","extra":[1,{"a":null}],"Payload":{"WANTEDCOLLECTIONS":["app.bsky.feed.*"],"cursor":5,"MaxMessageSizeBytes":7}}',
    );
    expect(result).toEqual({
      kind: 'update',
      filter: { wantedCollections: { exact: new Set(), prefixes: ['app.bsky.feed.'] }, wantedDids: new Set() },
      maxMessageSizeBytes: 7,
    });
  });

  it('lets a later duplicate field win', () => {
    expect(parseOptionsUpdate('{"type":"other","Type":"options_update","payload":null}').kind).toBe('update');
  });

  it('decodes escapes in keys and values', () => {
    const result = parseOptionsUpdate('{"\\u0074ype":"options\\u005fupdate","payload":{"wantedCollections":["app.bsky.feed.po\\u0073t"]}}');
    expect(result.kind === 'update' && [...(result.filter.wantedCollections?.exact ?? [])]).toEqual(['app.bsky.feed.post']);
  });

  it('ignores other message types, a missing type and a null message', () => {
    expect(parseOptionsUpdate('{"type":"heartbeat","payload":{}}')).toEqual({ kind: 'ignored', messageType: 'heartbeat' });
    expect(parseOptionsUpdate('{"payload":{"wantedCollections":["bad"]}}')).toEqual({ kind: 'ignored', messageType: '' });
    expect(parseOptionsUpdate('{"type":null}')).toEqual({ kind: 'ignored', messageType: '' });
    expect(parseOptionsUpdate('null')).toEqual({ kind: 'ignored', messageType: '' });
  });

  it('applies the size cap as v1 reads an int: negative is 0, wraps modulo 2^32', () => {
    const size = (value: string) => {
      const result = parseOptionsUpdate(update(`{"maxMessageSizeBytes":${value}}`));
      return result.kind === 'update' ? result.maxMessageSizeBytes : result;
    };
    expect(size('-1')).toBe(0);
    expect(size('4294967297')).toBe(1);
    expect(size('null')).toBe(0);
  });

  describe('closes with Go\'s syntax error text', () => {
    it.each([
      ['', 'unexpected end of JSON input'],
      ['{', 'unexpected end of JSON input'],
      ['{"type":"options_update"', 'unexpected end of JSON input'],
      ['"abc', 'unexpected end of JSON input'],
      ['hello', "invalid character 'h' looking for beginning of value"],
      ['nope', "invalid character 'o' in literal null (expecting 'u')"],
      ['t', "invalid character ' ' in literal true (expecting 'r')"],
      ['tru', "invalid character ' ' in literal true (expecting 'e')"],
      ['fals', "invalid character ' ' in literal false (expecting 'e')"],
      ['-', "invalid character ' ' in numeric literal"],
      ['-x', "invalid character 'x' in numeric literal"],
      ['1.', "invalid character ' ' after decimal point in numeric literal"],
      ['1e', "invalid character ' ' in exponent of numeric literal"],
      ['1e+}', "invalid character '}' in exponent of numeric literal"],
      ['01', "invalid character '1' after top-level value"],
      ['{"a":1}x', "invalid character 'x' after top-level value"],
      ['{"a" 1}', "invalid character '1' after object key"],
      ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
      ['[1 2]', "invalid character '2' after array element"],
      ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
      ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
      ['[1,]', "invalid character ']' looking for beginning of value"],
      ['"\\x"', "invalid character 'x' in string escape code"],
      ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
      ['"a\tb"', "invalid character '\\t' in string literal"],
      ['"a\u0001b"', "invalid character '\\x01' in string literal"],
      ['{"a":\\}', "invalid character '\\\\' looking for beginning of value"],
    ])('%p', (message, error) => {
      expect(parseOptionsUpdate(message)).toEqual(closed(1007, MESSAGE + error));
    });

    it('shows non-ASCII bytes as Go quotes the rune of the same number', () => {
      const close = (bytes: number[]) => parseOptionsUpdate(Uint8Array.from(bytes));
      expect(close([0xc3, 0xa9])).toEqual(closed(1007, `${MESSAGE}invalid character 'Ã' looking for beginning of value`));
      expect(close([0x80])).toEqual(closed(1007, `${MESSAGE}invalid character '\\u0080' looking for beginning of value`));
      expect(close([0x7f])).toEqual(closed(1007, `${MESSAGE}invalid character '\\x7f' looking for beginning of value`));
    });

    it('limits nesting to 10,000 levels', () => {
      expect(parseOptionsUpdate('['.repeat(10_001))).toEqual(closed(1007, `${MESSAGE}invalid character '[' exceeded max depth`));
      expect(parseOptionsUpdate(`${'['.repeat(10_000)}${']'.repeat(10_000)}`)).toEqual(
        closed(1007, `${MESSAGE}json: cannot unmarshal array into Go value of type models.SubscriberSourcedMessage`),
      );
    });
  });

  describe('closes with Go\'s type error text', () => {
    it.each([
      ['[]', 'json: cannot unmarshal array into Go value of type models.SubscriberSourcedMessage'],
      ['"options_update"', 'json: cannot unmarshal string into Go value of type models.SubscriberSourcedMessage'],
      ['{"type":1}', 'json: cannot unmarshal number into Go struct field SubscriberSourcedMessage.type of type string'],
      ['{"type":["options_update"]}', 'json: cannot unmarshal array into Go struct field SubscriberSourcedMessage.type of type string'],
      ['{"type":true,"payload":{}}', 'json: cannot unmarshal bool into Go struct field SubscriberSourcedMessage.type of type string'],
    ])('of the envelope %p', (message, error) => {
      expect(parseOptionsUpdate(message)).toEqual(closed(1007, MESSAGE + error));
    });

    it.each([
      ['5', 'json: cannot unmarshal number into Go value of type models.SubscriberOptionsUpdatePayload'],
      ['"x"', 'json: cannot unmarshal string into Go value of type models.SubscriberOptionsUpdatePayload'],
      ['{"maxMessageSizeBytes":"5"}', 'json: cannot unmarshal string into Go struct field SubscriberOptionsUpdatePayload.maxMessageSizeBytes of type int'],
      ['{"maxMessageSizeBytes":1.5}', 'json: cannot unmarshal number 1.5 into Go struct field SubscriberOptionsUpdatePayload.maxMessageSizeBytes of type int'],
      ['{"maxMessageSizeBytes":1e3}', 'json: cannot unmarshal number 1e3 into Go struct field SubscriberOptionsUpdatePayload.maxMessageSizeBytes of type int'],
      ['{"maxMessageSizeBytes":9223372036854775808}', 'json: cannot unmarshal number 9223372036854775808 into Go struct field SubscriberOptionsUpdatePayload.maxMessageSizeBytes of type int'],
      ['{"wantedCollections":"app.bsky.feed.post"}', 'json: cannot unmarshal string into Go struct field SubscriberOptionsUpdatePayload.wantedCollections of type []string'],
      ['{"wantedDids":{}}', 'json: cannot unmarshal object into Go struct field SubscriberOptionsUpdatePayload.wantedDids of type []string'],
      ['{"wantedCollections":["app.bsky.feed.post",1]}', 'json: cannot unmarshal number into Go struct field SubscriberOptionsUpdatePayload.wantedCollections of type string'],
      ['{"wantedDids":[true],"maxMessageSizeBytes":"x"}', 'json: cannot unmarshal bool into Go struct field SubscriberOptionsUpdatePayload.wantedDids of type string'],
    ])('of the payload %p', (payload, error) => {
      expect(parseOptionsUpdate(update(payload))).toEqual(closed(1007, UPDATE + error));
    });

    it('treats a missing payload as empty input', () => {
      expect(parseOptionsUpdate('{"type":"options_update"}')).toEqual(closed(1007, `${UPDATE}unexpected end of JSON input`));
    });
  });

  describe('closes with 1008 for options that fail validation', () => {
    it.each([
      ['{"wantedCollections":["bad"]}', 'invalid subscriber options: invalid collection: bad'],
      ['{"wantedCollections":[null]}', 'invalid subscriber options: invalid collection: '],
      ['{"wantedDids":["did:bad"]}', 'invalid subscriber options'],
      [`{"wantedCollections":${JSON.stringify(Array.from({ length: 101 }, () => 'a.*'))}}`, 'invalid subscriber options: too many wanted collections'],
    ])('%p', (payload, error) => {
      expect(parseOptionsUpdate(update(payload))).toEqual(closed(1008, OPTIONS + error));
    });

    it('closes an update whose filter is over maxFilterBytes (a prefix counted in UTF-8 bytes)', () => {
      const prefixes = update('{"wantedCollections":["é.*","app.*"]}');
      expect(parseOptionsUpdate(prefixes, { maxFilterBytes: 7 }).kind).toBe('update');
      const reason = `${OPTIONS}invalid subscriber options: filter too large: more than 6 bytes of wanted DIDs and collections`;
      expect(parseOptionsUpdate(prefixes, { maxFilterBytes: 6 })).toEqual({ kind: 'close', code: 1008, reason: reason.slice(0, 123), detail: reason });
    });

    it('cuts a long reason to 123 bytes on a character boundary', () => {
      const ascii = parseOptionsUpdate(update(`{"wantedCollections":["${'x'.repeat(200)}"]}`));
      expect(ascii).toEqual(closed(1008, `${OPTIONS}invalid subscriber options: invalid collection: ${'x'.repeat(200)}`));
      expect(ascii.kind === 'close' && ascii.reason).toBe(`${OPTIONS}invalid subscriber options: invalid collection: ${'x'.repeat(39)}`);

      const accented = parseOptionsUpdate(update(`{"wantedCollections":["${'é'.repeat(100)}"]}`));
      // The prefix is 84 ASCII bytes; 19 two-byte characters fit in the remaining 39 bytes.
      expect(accented).toEqual({
        kind: 'close',
        code: 1008,
        reason: `${OPTIONS}invalid subscriber options: invalid collection: ${'é'.repeat(19)}`,
        detail: `${OPTIONS}invalid subscriber options: invalid collection: ${'é'.repeat(100)}`,
      });
    });
  });
});
