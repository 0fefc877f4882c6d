/**
 * Conformance of record conversion (DAG-CBOR → v1 JSON) with the reference §2.6: every rule is
 * checked twice, on `recordToJson` and through the whole pipeline (frame → events → JSON bytes),
 * where a record that breaks a rule must drop its op only, reported to the DropReporter. Expected
 * JSON is written by hand; records are built with @jetstream-ts/testkit (raw CBOR where a
 * DAG-CBOR encoder would normalise the value).
 */
import { decodeFrame } from '@jetstream-ts/frames';
import {
  buildCommit,
  cborArray,
  cborBytes,
  cborFloat64,
  cborInt,
  cborMap,
  cborText,
  cborTextBytes,
  cidOf,
  commitFrame,
  concatBytes,
  createDropRecorder,
  dagCborBlock,
  encodeRecord,
  rawCidOf,
} from '@jetstream-ts/testkit';
import { base58btc } from 'multiformats/bases/base58';
import { CID } from 'multiformats/cid';
import { encodeEventJson, frameToEvents, RecordConversionError, recordToJson } from '../index.js';

const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const rev = '3l3qo2vutsw2b';
const witness = { ok: true };
const witnessLine = (timeUs: number) =>
  `{"did":"${did}","time_us":${timeUs},"kind":"commit","commit":{"rev":"${rev}","operation":"create","collection":"com.example.record","rkey":"witness","record":{"ok":true},"cid":"${dagCborBlock(witness).cid.toString()}"}}`;

/** A commit creating the record under test, then a well-formed witness record; its v1 lines and drops. */
function throughPipeline(recordBytes: Uint8Array) {
  const drops = createDropRecorder();
  const { body } = buildCommit({
    did,
    rev,
    seq: 3,
    time: '2024-09-25T12:00:00.000Z',
    writes: [
      { action: 'create', collection: 'com.example.record', rkey: 'subject', recordBytes },
      { action: 'create', collection: 'com.example.record', rkey: 'witness', record: witness },
    ],
  });
  const events = frameToEvents(decodeFrame(commitFrame(body)), drops);
  const lines = events.map((event, i) => new TextDecoder().decode(encodeEventJson({ ...event, time_us: i + 1 })));
  return { lines, drops: drops.reports };
}

function expectJson(recordBytes: Uint8Array, expected: string): void {
  expect(recordToJson(recordBytes)).toBe(expected);
  const cid = cidOf(recordBytes).toString();
  expect(throughPipeline(recordBytes)).toEqual({
    lines: [
      `{"did":"${did}","time_us":1,"kind":"commit","commit":{"rev":"${rev}","operation":"create","collection":"com.example.record","rkey":"subject","record":${expected},"cid":"${cid}"}}`,
      witnessLine(2),
    ],
    drops: [],
  });
}

function expectDropped(recordBytes: Uint8Array): void {
  expect(() => recordToJson(recordBytes)).toThrow(RecordConversionError);
  const { lines, drops } = throughPipeline(recordBytes);
  expect(lines).toEqual([witnessLine(1)]);
  expect(drops).toEqual([expect.objectContaining({ stage: 'op' })]);
}

const text = (value: string) => encodeRecord({ s: value });

describe('record key order (§2.6: sorted by JSON-encoded key bytes, goccy)', () => {
  it('sorts by byte order, so $type comes first', () => {
    expectJson(encodeRecord({ b: 1, a: 2, $type: 'com.example.record', A: 3, _: 4, '0': 5 }), '{"$type":"com.example.record","0":5,"A":3,"_":4,"a":2,"b":1}');
  });

  it('sorts bytewise, not shortest-first like DAG-CBOR', () => {
    expectJson(encodeRecord({ aa: 1, b: 2, a: 3 }), '{"a":3,"aa":1,"b":2}');
  });

  it('sorts nested maps, also inside arrays', () => {
    expectJson(encodeRecord({ list: [{ z: 1, y: 2 }, { b: [{ d: 1, c: 2 }] }] }), '{"list":[{"y":2,"z":1},{"b":[{"c":2,"d":1}]}]}');
  });

  it('puts "a b" and "a!" before "a", and "a#" after (the closing quote 0x22 takes part)', () => {
    expectJson(encodeRecord({ a: 1, 'a b': 2, 'a#': 3, 'a!': 4 }), '{"a b":2,"a!":4,"a":1,"a#":3}');
  });

  it('puts "aZ" and "a[" before "a<" (written \\u003c, and \\ is 0x5C)', () => {
    expectJson(encodeRecord({ 'a<': 1, aZ: 2, 'a[': 3 }), String.raw`{"aZ":2,"a[":3,"a\u003c":1}`);
  });

  it('puts U+2028 (written \\u2028) between "[" and "]"', () => {
    expectJson(encodeRecord({ '[': 1, '\u2028': 2, ']': 3 }), String.raw`{"[":1,"\u2028":2,"]":3}`);
  });

  it('puts U+E000..U+FFFF before astral characters (UTF-8 order, not UTF-16)', () => {
    expectJson(encodeRecord({ '\u{1F600}': 1, '\uE000': 2, '\uFFFD': 3 }), '{"\uE000":2,"\uFFFD":3,"\u{1F600}":1}');
  });
});

describe('blobs (§2.6)', () => {
  const ref = rawCidOf(new TextEncoder().encode('image bytes'));

  it('writes a blob as $type, ref, mimeType, size in that order', () => {
    expectJson(
      encodeRecord({ $type: 'com.example.record', image: { $type: 'blob', ref, mimeType: 'image/png', size: 1234 } }),
      `{"$type":"com.example.record","image":{"$type":"blob","ref":{"$link":"${ref.toString()}"},"mimeType":"image/png","size":1234}}`,
    );
  });

  it('writes a blob inside an array the same way', () => {
    expectJson(
      encodeRecord({ images: [{ $type: 'blob', ref, mimeType: 'image/jpeg', size: 1 }] }),
      `{"images":[{"$type":"blob","ref":{"$link":"${ref.toString()}"},"mimeType":"image/jpeg","size":1}]}`,
    );
  });

  it('writes a legacy blob {cid, mimeType}', () => {
    expectJson(
      encodeRecord({ avatar: { cid: ref.toString(), mimeType: 'image/jpeg' } }),
      `{"avatar":{"cid":"${ref.toString()}","mimeType":"image/jpeg"}}`,
    );
  });

  it('drops a blob without size (3 fields)', () => expectDropped(encodeRecord({ image: { $type: 'blob', ref, mimeType: 'image/png' } })));

  it('drops a blob with a fifth field', () =>
    expectDropped(encodeRecord({ image: { $type: 'blob', ref, mimeType: 'image/png', size: 1, alt: 'x' } })));
});

describe('bytes and links (§2.6)', () => {
  it('writes bytes as {"$bytes": standard base64 without padding}', () => {
    expectJson(encodeRecord({ data: Uint8Array.of(1, 2, 3, 4, 5) }), '{"data":{"$bytes":"AQIDBAU"}}');
  });

  it('uses the standard alphabet (+ and /), not the URL one', () => {
    expectJson(encodeRecord({ data: Uint8Array.of(0xfb, 0xff) }), '{"data":{"$bytes":"+/8"}}');
  });

  it('writes empty bytes as "$bytes":"" or drops the op (reference: UNCONFIRMED), never crashes', () => {
    const bytes = encodeRecord({ data: new Uint8Array(0) });
    const { lines, drops } = throughPipeline(bytes);
    const kept = lines.length === 2;
    if (kept) expect(lines[0]).toContain('"record":{"data":{"$bytes":""}}');
    else expect(drops).toEqual([expect.objectContaining({ stage: 'op' })]);
  });

  it('writes CID links (tag 42) as {"$link": cid}, in maps and arrays, CIDv0 in base58', () => {
    const v1 = dagCborBlock({ n: 1 }).cid;
    const v0 = CID.parse('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG');
    expectJson(
      encodeRecord({ one: v1, list: [v1, v0] }),
      `{"list":[{"$link":"${v1.toString()}"},{"$link":"QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"}],"one":{"$link":"${v1.toString()}"}}`,
    );
  });

  it('accepts a {"$link": "<valid cid>"} map written as a string', () => {
    const cid = dagCborBlock({ n: 2 }).cid.toString();
    expectJson(encodeRecord({ x: { $link: cid } }), `{"x":{"$link":"${cid}"}}`);
  });

  it('accepts a {"$bytes": "<raw std base64>"} map written as a string', () => {
    expectJson(encodeRecord({ x: { $bytes: 'AQIDBAU' } }), '{"x":{"$bytes":"AQIDBAU"}}');
  });

  it.each([
    ['$link not a CID', { x: { $link: 'not-a-cid' } }],
    ['$link not a string', { x: { $link: 5 } }],
    ['$link with another key', { x: { $link: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm', y: 1 } }],
    ['$bytes padded', { x: { $bytes: 'AQIDBAU=' } }],
    ['$bytes URL alphabet', { x: { $bytes: '-_8' } }],
    ['$bytes not base64', { x: { $bytes: '!!!' } }],
    ['$bytes with another key', { x: { $bytes: 'AQIDBAU', y: 1 } }],
    ['empty $type at the top', { $type: '', text: 'x' }],
    ['empty $type nested', { x: { $type: '' } }],
    ['$type not a string', { $type: 5 }],
  ])('drops the op: %s', (_name, record) => expectDropped(encodeRecord(record)));

  it('accepts a record without $type', () => expectJson(encodeRecord({ text: 'no type' }), '{"text":"no type"}'));

  it('writes null, booleans, empty maps and nested arrays; the empty key sorts first', () => {
    expectJson(
      encodeRecord({ e: {}, d: [[1], []], c: false, b: true, a: null, '': 0 }),
      '{"":0,"a":null,"b":true,"c":false,"d":[[1],[]],"e":{}}',
    );
  });

  it('writes an empty record as {}', () => expectJson(encodeRecord({}), '{}'));
});

describe('strings (§2.6: Go escaping)', () => {
  it('escapes <, > and & as \\u003c, \\u003e, \\u0026', () => {
    expectJson(text('<a href="x">&</a>'), String.raw`{"s":"\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e"}`);
  });

  it('escapes U+2028 and U+2029', () => expectJson(text('line\u2028para\u2029end'), String.raw`{"s":"line\u2028para\u2029end"}`));

  it('escapes quotes, backslashes and control characters; not / nor DEL', () => {
    expectJson(
      text('tab\tnl\ncr\rq"b\\s/c\u0001\u001fd\u007f'),
      String.raw`{"s":"tab\tnl\ncr\rq\"b\\s/c\u0001\u001fd` + '\u007f"}',
    );
  });

  it('writes backspace and form feed as \\u0008 and \\u000c (goccy has no short form for them)', () => {
    expectJson(text('a\bb\fc'), String.raw`{"s":"a\u0008b\u000cc"}`);
  });

  it('writes non-ASCII text as raw UTF-8', () => expectJson(text('héllo 日本 😀'), '{"s":"héllo 日本 😀"}'));

  it('does not escape C1 controls, U+FEFF, U+FFFE or U+FFFD (only ASCII controls, <>&, U+2028/9 are)', () => {
    expectJson(text('\u0085\u009f\ufeff\ufffe\ufffd'), '{"s":"\u0085\u009f\ufeff\ufffe\ufffd"}');
  });

  it.each([
    ['an encoded surrogate (ED A0 80)', [0xed, 0xa0, 0x80], 3],
    ['an overlong slash (C0 AF)', [0xc0, 0xaf], 2],
    ['a code point above U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80], 4],
    ['a lone continuation byte (80)', [0x80], 1],
  ])('replaces %s byte by byte with \\ufffd', (_name, bytes, count) => {
    expectJson(cborMap([['s', cborTextBytes(Uint8Array.from([0x78, ...bytes, 0x79]))]]), `{"s":"x${'\\ufffd'.repeat(count)}y"}`);
  });

  it('replaces an invalid byte with \\ufffd', () => {
    expectJson(cborMap([['s', cborTextBytes(Uint8Array.of(0x61, 0xff, 0x62))]]), String.raw`{"s":"a\ufffdb"}`);
  });

  it('replaces each byte of a truncated sequence with \\ufffd (Go decodes invalid UTF-8 one byte at a time)', () => {
    expectJson(cborMap([['s', cborTextBytes(Uint8Array.of(0x61, 0xe2, 0x82, 0x62))]]), String.raw`{"s":"a\ufffd\ufffdb"}`);
  });
});

describe('numbers (§2.6)', () => {
  it('writes 64-bit integers exactly, beyond 2^53, positive and negative', () => {
    expectJson(
      cborMap([
        ['big', cborInt(2n ** 53n + 1n)],
        ['max', cborInt(2n ** 63n - 1n)],
        ['min', cborInt(-(2n ** 63n))],
        ['neg', cborInt(-(2n ** 53n) - 1n)],
      ]),
      '{"big":9007199254740993,"max":9223372036854775807,"min":-9223372036854775808,"neg":-9007199254740993}',
    );
  });

  it('writes integers of every CBOR width', () => {
    const values = [0, 23, 24, 255, 256, 65535, 65536, 4294967295, 4294967296, -1, -24, -25, -256, -257, -65537];
    expectJson(encodeRecord({ n: values }), `{"n":[${values.join(',')}]}`);
  });

  it('writes integral floats as integers', () => {
    expectJson(
      cborMap([
        ['f', cborFloat64(2)],
        ['g', cborFloat64(-3)],
        ['h', cborFloat64(1e15)],
      ]),
      '{"f":2,"g":-3,"h":1000000000000000}',
    );
  });

  it.each([
    ['1.5', cborMap([['f', cborFloat64(1.5)]])],
    ['0.1', cborMap([['f', cborFloat64(0.1)]])],
    ['NaN', cborMap([['f', cborFloat64(NaN)]])],
    ['2.5 in an array', cborMap([['f', cborArray([cborInt(1), cborFloat64(2.5)])]])],
  ])('drops the op for the non-integral float %s', (_name, bytes) => expectDropped(bytes));

  it('does not crash on an unsigned integer above 2^63 (reference: UNCONFIRMED)', () => {
    const { lines } = throughPipeline(cborMap([['u', cborInt(2n ** 64n - 1n)]]));
    expect(lines.length).toBeGreaterThanOrEqual(1);
  });
});

/**
 * Where §2.6 summarises, these follow the source it summarises: indigo `atproto/atdata/parse.go`
 * (parseMap, parseBlob, parseLegacyBlob, parseLink, parseFloat, parseObject) and `cidlink.go`.
 */
describe('atproto data model details (indigo atdata, which v1 runs for §2.6)', () => {
  const ref = rawCidOf(new TextEncoder().encode('image bytes'));
  const blob = (fields: Record<string, unknown>) => ({ $type: 'blob', ref, mimeType: 'image/png', size: 10, ...fields });

  it.each([
    ['negative size', blob({ size: -1 })],
    ['size not a number', blob({ size: '10' })],
    ['mimeType not a string', blob({ mimeType: 5 })],
    ['ref a plain string', blob({ ref: ref.toString() })],
    ['no ref (4 fields with another key)', { $type: 'blob', mimeType: 'image/png', size: 10, other: 1 }],
  ])('drops a blob with %s', (_name, value) => expectDropped(encodeRecord({ image: value })));

  it('accepts a blob whose ref is a {"$link": cid} map, and an integral float size', () => {
    const bytes = cborMap([
      [
        'image',
        cborMap([
          ['$type', cborText('blob')],
          ['ref', cborMap([['$link', cborText(ref.toString())]])],
          ['mimeType', cborText('image/png')],
          ['size', cborFloat64(10)],
        ]),
      ],
    ]);
    expectJson(bytes, `{"image":{"$type":"blob","ref":{"$link":"${ref.toString()}"},"mimeType":"image/png","size":10}}`);
  });

  it.each([
    ['an invalid cid', { cid: 'not-a-cid', mimeType: 'image/jpeg' }],
    ['a mimeType that is not a string', { cid: ref.toString(), mimeType: 5 }],
  ])('drops a legacy blob with %s', (_name, value) => expectDropped(encodeRecord({ avatar: value })));

  it('writes a legacy blob whose cid is a link, or an upper-case base32 string, with the canonical cid string', () => {
    expectJson(
      encodeRecord({ a: { cid: ref, mimeType: 'image/jpeg' }, b: { cid: ref.toString().toUpperCase(), mimeType: 'image/jpeg' } }),
      `{"a":{"cid":"${ref.toString()}","mimeType":"image/jpeg"},"b":{"cid":"${ref.toString()}","mimeType":"image/jpeg"}}`,
    );
  });

  it('writes a {"$link"} string in canonical form (base32 lower case for CIDv1)', () => {
    const cid = dagCborBlock({ n: 3 }).cid;
    expectJson(
      encodeRecord({ upper: { $link: cid.toString().toUpperCase() }, base58: { $link: cid.toString(base58btc) } }),
      `{"base58":{"$link":"${cid.toString()}"},"upper":{"$link":"${cid.toString()}"}}`,
    );
  });

  it.each([
    ['a blob', blob({})],
    ['a legacy blob', { cid: ref.toString(), mimeType: 'image/jpeg' }],
    ['a $link map', { $link: ref.toString() }],
    ['a $bytes map', { $bytes: 'AQID' }],
  ])('drops a record that is %s at the top level ("top-level datum was not an object")', (_name, value) =>
    expectDropped(encodeRecord(value)),
  );

  it.each([
    ['1e19 (integral, beyond int64)', 1e19],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
  ])('drops the float %s', (_name, value) => expectDropped(cborMap([['f', cborFloat64(value)]])));

  it('writes the floats -0 and -2^63 as the integers 0 and -9223372036854775808', () => {
    expectJson(
      cborMap([
        ['a', cborFloat64(-0)],
        ['b', cborFloat64(-(2 ** 63))],
      ]),
      '{"a":0,"b":-9223372036854775808}',
    );
  });
});

describe('limits and malformed records (§2.6)', () => {
  it('accepts an 8192-byte key and drops an 8193-byte one', () => {
    const at = 'k'.repeat(8192);
    expectJson(encodeRecord({ [at]: 1 }), `{"${at}":1}`);
    expectDropped(encodeRecord({ [`${at}k`]: 1 }));
  });

  it('accepts an array of 131,072 entries and drops one of 131,073', () => {
    expect(recordToJson(encodeRecord({ a: new Array(131072).fill(0) }))).toBe(`{"a":[${new Array(131072).fill(0).join(',')}]}`);
    expectDropped(encodeRecord({ a: new Array(131073).fill(0) }));
  });

  it('accepts a map of 131,072 entries and drops one of 131,073', () => {
    const entries = (count: number) => Array.from({ length: count }, (_, i) => [i.toString(36), cborInt(0)] as const);
    expect(recordToJson(cborMap(entries(131072))).startsWith('{"0":0,"1":0,')).toBe(true);
    expectDropped(cborMap(entries(131073)));
  });

  it('survives a record nested 100,000 levels deep (dropped or converted, never thrown out of the pipeline)', () => {
    const depth = 100000;
    const deep = concatBytes([Uint8Array.of(0xa1, 0x61, 0x61), new Uint8Array(depth).fill(0x81), Uint8Array.of(0x00)]);
    const { lines, drops } = throughPipeline(deep);
    expect(lines[lines.length - 1]).toBe(witnessLine(lines.length));
    expect(lines.length + drops.length).toBe(2);
  });

  it('drops a record larger than 1 MiB', () => expectDropped(encodeRecord({ s: 'x'.repeat(1024 * 1024 + 1) })));

  it('accepts a record just under 1 MiB', () => {
    const long = 'x'.repeat(1024 * 1024 - 100);
    expect(recordToJson(encodeRecord({ s: long }))).toBe(`{"s":"${long}"}`);
  });

  it.each([
    ['not a map', cborText('hello')],
    ['an array', cborArray([cborInt(1)])],
    ['truncated CBOR', encodeRecord({ text: 'hello' }).subarray(0, 5)],
    ['bytes at the top', cborBytes(Uint8Array.of(1))],
  ])('drops the op when the record is %s', (_name, bytes) => expectDropped(bytes));
});
