import type { LoggedEvent } from '@jetstream-ts/models';
import { decodeEventMessage, encodeEventMessage, eventMessageId } from './event-message.js';

const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));
const FAKE_ZSTD = [0x28, 0xb5, 0x2f, 0xfd, 0x01];

const like: LoggedEvent = {
  time_us: 1_000_000,
  relaySeq: 300,
  did: 'did:plc:77777777aaaaaaaaaaaaaaab',
  kind: 'commit',
  collection: 'app.bsky.feed.like',
  json: new Uint8Array(),
  zstd: new Uint8Array(FAKE_ZSTD),
};
// format 1, flags commit | packed DID | relay cursor, time_us, relaySeq, op, relayCursor (LEB128),
// the DID in 15 bytes (24 base32 characters: '7' is 31, 'a' 0, 'b' 1), the collection, the zstd frame.
const LIKE_BYTES = [
  0x01, 0b1100,
  0xc0, 0x84, 0x3d, // 1,000,000 = 64 + 4 * 128 + 61 * 128^2
  0xac, 0x02, // 300 = 44 + 2 * 128
  0x01,
  0xad, 0x02, // 301
  0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
  18, ...ascii('app.bsky.feed.like'),
  ...FAKE_ZSTD,
];

const identity: LoggedEvent = { time_us: 1, relaySeq: 5, did: 'did:web:example.com', kind: 'identity', collection: '', json: new Uint8Array(), zstd: new Uint8Array([0xaa]) };
// flags: identity, DID as text; no relay cursor, no collection.
const IDENTITY_BYTES = [0x01, 0b0001, 0x01, 0x05, 0x00, 19, ...ascii('did:web:example.com'), 0xaa];

describe('encodeEventMessage / decodeEventMessage', () => {
  it('writes a commit as format, flags, varints, the packed did:plc, the collection and the zstd frame', () => {
    expect([...encodeEventMessage(like, 1, 301)]).toEqual(LIKE_BYTES);
  });

  it('writes an identity event with its DID as text and no collection', () => {
    expect([...encodeEventMessage(identity, 0)]).toEqual(IDENTITY_BYTES);
  });

  it('reads back every field, the zstd frame as written', () => {
    const { json: _json, zstd, ...fields } = like;
    const decoded = decodeEventMessage(new Uint8Array(LIKE_BYTES));
    expect(decoded).toEqual({ ...fields, op: 1, relayCursor: 301, zstd: new Uint8Array(zstd) });
    expect(decodeEventMessage(new Uint8Array(IDENTITY_BYTES))).toEqual({
      time_us: 1, relaySeq: 5, op: 0, relayCursor: undefined, did: 'did:web:example.com', kind: 'identity', collection: '', zstd: new Uint8Array([0xaa]),
    });
  });

  it('round-trips large values: time_us and seqs up to 2^53, an account event, a non-ASCII DID', () => {
    const account: LoggedEvent = { ...identity, kind: 'account', did: 'did:web:exämple.com', time_us: Number.MAX_SAFE_INTEGER, relaySeq: 2 ** 40 };
    const decoded = decodeEventMessage(encodeEventMessage(account, 130, 2 ** 40 + 1));
    expect(decoded).toEqual({ ...account, json: undefined, op: 130, relayCursor: 2 ** 40 + 1, zstd: new Uint8Array([0xaa]) });
  });

  it('reads back an empty DID and an empty collection as written (v1 emits a commit of op path "/rkey" with collection "")', () => {
    const empty: LoggedEvent = { ...like, did: '', collection: '' };
    // flags commit | relay cursor; time_us 1; relaySeq 2; op 0; relayCursor 2; DID length 0; collection length 0; zstd.
    const bytes = [0x01, 0b1000, 0x01, 0x02, 0x00, 0x02, 0x00, 0x00, ...FAKE_ZSTD];
    expect([...encodeEventMessage({ ...empty, time_us: 1, relaySeq: 2 }, 0, 2)]).toEqual(bytes);
    expect(decodeEventMessage(new Uint8Array(bytes))).toEqual({
      time_us: 1, relaySeq: 2, op: 0, relayCursor: 2, did: '', kind: 'commit', collection: '', zstd: new Uint8Array(FAKE_ZSTD),
    });
  });

  it.each([
    [[], 'empty message'],
    [[0x07], 'unknown format 7; this version reads format 1'],
    [FAKE_ZSTD, 'format 0 (a bare zstd frame, fields in headers): written by an older version; this one reads format 1'],
    [[0x01], 'format 1: truncated flags'],
    [[0x01, 0b0011, 0x01, 0x01, 0x00], 'format 1: unknown flags 0b11'],
    [[0x01, 0b10000, 0x01, 0x01, 0x00], 'format 1: unknown flags 0b10000'],
    [[0x01, 0x00, 0xc0, 0x84], 'format 1: truncated varint'],
    [[0x01, 0x01, 0x00, 0x01, 0x00, 0x01, 0x61, 0xaa], 'format 1: time_us 0'],
    [[0x01, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], 'format 1: time_us above 2^53'],
    [[0x01, 0b0101, 0x01, 0x01, 0x00, 0xff, 0xff], 'format 1: truncated did'],
    [[0x01, 0b0001, 0x01, 0x01, 0x00, 0x40, 0x61, 0xaa], 'format 1: truncated did'],
    [[0x01, 0b0001, 0x01, 0x01, 0x00, 0x01, 0x61], 'format 1: no zstd frame'],
  ])('refuses %j: %s', (bytes, reason) => {
    expect(decodeEventMessage(new Uint8Array(bytes))).toBe(reason);
  });

  it('refuses a DID that is not UTF-8', () => {
    expect(decodeEventMessage(new Uint8Array([0x01, 0b0001, 0x01, 0x01, 0x00, 0x02, 0xff, 0xfe, 0xaa]))).toMatch(/^format 1: .*utf-8/i);
  });

  it('refuses every truncation of a message before its zstd frame', () => {
    const prefixLength = LIKE_BYTES.length - FAKE_ZSTD.length;
    for (let length = 0; length <= prefixLength; length++) {
      expect(typeof decodeEventMessage(new Uint8Array(LIKE_BYTES.slice(0, length)))).toBe('string');
    }
  });
});

describe('eventMessageId', () => {
  it('is the relay seq and the op index in base 36', () => {
    expect(eventMessageId(35, 1)).toBe('z:1');
    expect(eventMessageId(1_000_000_001, 0)).toBe('gjdgxt:0');
    expect(eventMessageId(36, 36)).toBe('10:10');
  });
});
