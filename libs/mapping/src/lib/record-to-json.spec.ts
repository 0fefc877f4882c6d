import { extractCommitRecords } from '@jetstream-ts/car';
import { decodeFrame } from '@jetstream-ts/frames';
import {
  cborArray,
  cborBytes,
  cborCid,
  cborFloat64,
  cborInt,
  cborMap,
  cborNull,
  cborText,
  cborTextBytes,
  dagCborBlock,
  encodeRecord,
  loadCarboxFrame,
  loadIndigoCommitFrame,
  loadIndigoScenario,
  readCar,
  readFixture,
  repoRecords,
} from '@jetstream-ts/testkit';
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import { RecordConversionError } from './record-conversion-error.js';
import { recordToJson } from './record-to-json.js';
import { recordToJsonWithLibrary } from './record-to-json-with-library.test-util.js';

const LINK = 'bafyreide63hdwry7d7hhs3eyrzab2ntcobdnhjmdvqwpsidg6ctil6ostq';
const BLOB_REF = 'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy';

/** The outcome of a conversion: the JSON, or the reason it was refused. */
function outcome(convert: (cbor: Uint8Array) => string, cbor: Uint8Array): string {
  try {
    return convert(cbor);
  } catch (error) {
    if (error instanceof RecordConversionError) return `refused: ${error.reason}`;
    throw error;
  }
}

function expectSameAsLibrary(cbor: Uint8Array): string {
  const fast = outcome(recordToJson, cbor);
  expect(fast).toBe(outcome(recordToJsonWithLibrary, cbor));
  return fast;
}

function commitRecordBlocks(frameBytes: Uint8Array): Uint8Array[] {
  const frame = decodeFrame(frameBytes);
  if (frame.type !== 'commit') return [];
  return (extractCommitRecords(frame.body) ?? []).flatMap((record) => (record ? [record.bytes] : []));
}

/** Every record of every fixture: the repo CARs' records and the records carried by fixture commits. */
function fixtureRecords(): [string, Uint8Array][] {
  const records: [string, Uint8Array][] = [];
  for (const name of ['repo-stream/tiny.car', 'repo-stream/little.car']) {
    for (const { path, block } of repoRecords(readFixture(name))) records.push([`${name} ${path}`, block.bytes]);
  }
  // attie.car is a commit slice (its MST is partial): take the blocks that are neither MST nodes nor the commit.
  for (const [cid, block] of readCar(readFixture('skyfall/attie.car')).blocks) {
    const value = dagCbor.decode<Record<string, unknown>>(block.bytes);
    if (!('e' in value) && !('sig' in value)) records.push([`skyfall/attie.car ${cid}`, block.bytes]);
  }
  const frames = [
    loadCarboxFrame(),
    ...loadIndigoScenario('post_lifecycle').map(({ bytes }) => bytes),
    loadIndigoCommitFrame('firehose_commit_4621332152').bytes,
    loadIndigoCommitFrame('firehose_commit_4623075231').bytes,
  ];
  frames.forEach((frame, f) => commitRecordBlocks(frame).forEach((bytes, r) => records.push([`frame ${f} record ${r}`, bytes])));
  return records;
}

describe('recordToJson', () => {
  const records = fixtureRecords();

  it('sees the fixture records (278 + 8 repo records, plus those in commits)', () => {
    expect(records.length).toBeGreaterThan(290);
  });

  it.each(records)('converts %s exactly as the library path does', (_name, cbor) => {
    expect(expectSameAsLibrary(cbor)).toMatch(/^\{/);
  });

  it('sorts keys by bytes with $type first and writes a blob in struct order', () => {
    const record = {
      text: 'hi',
      $type: 'app.bsky.feed.post',
      createdAt: '2024-09-25T00:00:00.000Z',
      embed: {
        $type: 'app.bsky.embed.images',
        images: [{ alt: '', image: { $type: 'blob', size: 1234, ref: CID.parse(BLOB_REF), mimeType: 'image/jpeg' } }],
      },
      langs: ['en'],
    };
    expect(expectSameAsLibrary(encodeRecord(record))).toBe(
      '{"$type":"app.bsky.feed.post","createdAt":"2024-09-25T00:00:00.000Z","embed":{"$type":"app.bsky.embed.images","images":[{"alt":"","image":{"$type":"blob","ref":{"$link":"' +
        BLOB_REF +
        '"},"mimeType":"image/jpeg","size":1234}}]},"langs":["en"],"text":"hi"}',
    );
  });

  it('orders keys by their JSON form: "a b" before "a", "aZ" before "a<"', () => {
    expect(expectSameAsLibrary(encodeRecord({ a: 1, 'a b': 2 }))).toBe('{"a b":2,"a":1}');
    expect(expectSameAsLibrary(encodeRecord({ 'a<': 1, aZ: 2 }))).toBe('{"aZ":2,"a\\u003c":1}');
  });

  it('writes links, bytes, legacy blobs and $link/$bytes maps', () => {
    const record = {
      link: CID.parse(LINK),
      bytes: new Uint8Array([0xfb, 0xff, 0x01]),
      short: new Uint8Array([0xff]),
      empty: new Uint8Array(0),
      legacy: { cid: LINK, mimeType: 'image/png' },
      linkMap: { $link: LINK },
      bytesMap: { $bytes: '+/8B' },
    };
    expect(expectSameAsLibrary(encodeRecord(record))).toBe(
      `{"bytes":{"$bytes":"+/8B"},"bytesMap":{"$bytes":"+/8B"},"empty":{"$bytes":""},"legacy":{"cid":"${LINK}","mimeType":"image/png"},` +
        `"link":{"$link":"${LINK}"},"linkMap":{"$link":"${LINK}"},"short":{"$bytes":"/w"}}`,
    );
  });

  it('writes CIDv0 links in base58', () => {
    const v0 = CID.parse('QmY7Yh4UquoXHLPFo2XbhXkhBvFoPwmQUSa92pxnxjQuPU');
    expect(expectSameAsLibrary(encodeRecord({ l: v0 }))).toBe('{"l":{"$link":"QmY7Yh4UquoXHLPFo2XbhXkhBvFoPwmQUSa92pxnxjQuPU"}}');
  });

  it('escapes strings as Go does', () => {
    const text = '<a href="x">&amp;</a> \\ / \n\r\t\b\f\u0001\u001f\u007f \u2028\u2029 é 日本 😀';
    expect(expectSameAsLibrary(encodeRecord({ text }))).toBe(
      '{"text":"\\u003ca href=\\"x\\"\\u003e\\u0026amp;\\u003c/a\\u003e \\\\ / \\n\\r\\t\\u0008\\u000c\\u0001\\u001f\u007f \\u2028\\u2029 é 日本 😀"}',
    );
  });

  it('writes each invalid UTF-8 byte as \\ufffd and keeps valid U+FFFD', () => {
    const invalid = new Uint8Array([0x61, 0xe2, 0x82, 0x62, 0xff, 0xed, 0xa0, 0x80, 0xef, 0xbf, 0xbd, 0xc0, 0xaf]);
    expect(recordToJson(cborMap([['t', cborTextBytes(invalid)]]))).toBe(
      '{"t":"a\\ufffd\\ufffdb\\ufffd\\ufffd\\ufffd\\ufffd\uFFFD\\ufffd\\ufffd"}',
    );
  });

  it('writes integers exactly over the whole int64 range and integral floats as integers', () => {
    const record = cborMap([
      ['a', cborInt(0)],
      ['b', cborInt(-1)],
      ['c', cborInt(2n ** 53n + 1n)],
      ['d', cborInt(2n ** 63n - 1n)],
      ['e', cborInt(-(2n ** 63n))],
      ['f', cborFloat64(3)],
      ['g', cborFloat64(-0)],
      ['h', cborFloat64(1e18)],
    ]);
    expect(recordToJson(record)).toBe(
      '{"a":0,"b":-1,"c":9007199254740993,"d":9223372036854775807,"e":-9223372036854775808,"f":3,"g":0,"h":1000000000000000000}',
    );
    expect(expectSameAsLibrary(record)).toMatch(/^\{"a":0/);
  });

  it('writes null, booleans, nested arrays and empty containers', () => {
    expect(expectSameAsLibrary(encodeRecord({ n: null, t: true, f: false, a: [[], {}, [1, [2]]], o: {} }))).toBe(
      '{"a":[[],{},[1,[2]]],"f":false,"n":null,"o":{},"t":true}',
    );
  });

  const refused: [string, string, Uint8Array][] = [
    ['a non-integral float', 'float-not-integral', cborMap([['x', cborFloat64(1.5)]])],
    ['NaN', 'float-not-integral', cborMap([['x', cborFloat64(NaN)]])],
    ['a float of 2^63', 'float-not-integral', cborMap([['x', cborFloat64(2 ** 63)]])],
    ['an integer of 2^63', 'integer-out-of-range', cborMap([['x', cborInt(2n ** 63n)]])],
    ['an integer below -2^63', 'integer-out-of-range', cborMap([['x', cborInt(-(2n ** 63n) - 1n)]])],
    ['an empty $type', 'invalid-type', encodeRecord({ $type: '' })],
    ['a non-string $type', 'invalid-type', encodeRecord({ $type: 1 })],
    ['a blob with 3 fields', 'invalid-blob', encodeRecord({ b: { $type: 'blob', ref: CID.parse(BLOB_REF), size: 1 } })],
    ['a blob with 5 fields', 'invalid-blob', encodeRecord({ b: { $type: 'blob', ref: CID.parse(BLOB_REF), size: 1, mimeType: 'a', x: 1 } })],
    ['a blob with a negative size', 'invalid-blob', encodeRecord({ b: { $type: 'blob', ref: CID.parse(BLOB_REF), size: -1, mimeType: 'a' } })],
    ['a blob with a string ref', 'invalid-blob', encodeRecord({ b: { $type: 'blob', ref: BLOB_REF, size: 1, mimeType: 'a' } })],
    ['a $link beside other keys', 'invalid-link', encodeRecord({ l: { $link: LINK, x: 1 } })],
    ['a $link that is not a CID', 'invalid-link', encodeRecord({ l: { $link: 'nope' } })],
    ['a $bytes with padding', 'invalid-bytes', encodeRecord({ b: { $bytes: '+/8=' } })],
    ['a legacy blob with a bad cid', 'invalid-blob', encodeRecord({ b: { cid: 'nope', mimeType: 'a' } })],
    ['a top-level link map', 'not-an-object', encodeRecord({ $link: LINK })],
    ['a top-level blob', 'not-an-object', encodeRecord({ $type: 'blob', ref: CID.parse(BLOB_REF), size: 1, mimeType: 'a' })],
    ['a top-level array', 'not-an-object', encodeRecord([1])],
    ['a key longer than 8192 bytes', 'key-too-long', encodeRecord({ ['k'.repeat(8193)]: 1 })],
    ['more than 131072 entries', 'too-many-entries', encodeRecord({ a: new Array(131073).fill(0) })],
    ['a record over 1 MiB', 'record-too-large', encodeRecord({ b: new Uint8Array(1024 * 1024) })],
    ['truncated CBOR', 'invalid-cbor', encodeRecord({ text: 'hello' }).subarray(0, 8)],
    ['bytes after the record', 'invalid-cbor', new Uint8Array([...encodeRecord({ a: 1 }), 0])],
  ];

  it.each(refused)('refuses %s (%s)', (_name, reason, cbor) => {
    expect(outcome(recordToJson, cbor)).toBe(`refused: ${reason}`);
    expect(outcome(recordToJsonWithLibrary, cbor)).toMatch(/^refused: /);
  });

  it('refuses undefined, other tags and non-string keys', () => {
    expect(outcome(recordToJson, cborMap([['u', new Uint8Array([0xf7])]]))).toBe('refused: invalid-cbor');
    expect(outcome(recordToJson, cborMap([['t', new Uint8Array([0xc1, 0x00])]]))).toBe('refused: invalid-cbor');
    expect(outcome(recordToJson, new Uint8Array([0xa1, 0x01, 0x01]))).toBe('refused: invalid-cbor');
  });

  it('keeps a blob ref given as a {$link} map and a legacy blob cid given as a link', () => {
    const record = cborMap([
      ['b', cborMap([['$type', cborText('blob')], ['ref', cborMap([['$link', cborText(BLOB_REF)]])], ['mimeType', cborText('a')], ['size', cborInt(5)]])],
      ['l', cborMap([['cid', cborCid(CID.parse(LINK))], ['mimeType', cborText('b')]])],
    ]);
    expect(expectSameAsLibrary(record)).toBe(
      `{"b":{"$type":"blob","ref":{"$link":"${BLOB_REF}"},"mimeType":"a","size":5},"l":{"cid":"${LINK}","mimeType":"b"}}`,
    );
  });

  it('converts unusual but valid values the same way on both paths', () => {
    const values = [cborArray([cborNull(), cborBytes(new Uint8Array([1, 2, 3, 4, 5]))]), cborText('\u0000'), cborInt(-(2 ** 40))];
    for (const value of values) expectSameAsLibrary(cborMap([['v', value]]));
    expectSameAsLibrary(dagCborBlock({ $type: 'x', nested: { $type: 'y', deep: [{ $type: 'z' }] } }).bytes);
  });
});
