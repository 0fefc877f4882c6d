/**
 * Conformance of frame decoding with the v1 reference (§2.1, §2.2), checked against inputs built
 * independently by @jetstream-ts/testkit. Expected values are read from the fixtures by hand.
 */
import type { FirehoseFrame } from '@jetstream-ts/models';
import {
  accountFrame,
  buildCommit,
  buildFrame,
  cborInt,
  cborMap,
  cborText,
  commitFrame,
  concatBytes,
  createDropRecorder,
  errorFrame,
  identityFrame,
  infoFrame,
  loadCarboxFrame,
  loadIndigoCommitFrame,
  loadIndigoScenario,
  messageFrame,
  syncFrame,
} from '@jetstream-ts/testkit';
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import { from, lastValueFrom, toArray } from 'rxjs';
import { decodeFrame } from './decode-frame.js';
import { decodeFrames } from './decode-frames.js';

const link = (cid: string) => CID.parse(cid);
const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';

function expectType<T extends FirehoseFrame['type']>(frame: FirehoseFrame, type: T): Extract<FirehoseFrame, { type: T }> {
  expect(frame.type).toBe(type);
  return frame as Extract<FirehoseFrame, { type: T }>;
}

describe('decodeFrame conformance: real frames', () => {
  it('decodes the carbox frame (2023, commit v2, no rev/since field) as a commit', () => {
    const bytes = loadCarboxFrame();
    const frame = expectType(decodeFrame(bytes), 'commit');
    expect(frame.size).toBe(5408);
    expect(frame.body).toMatchObject({
      seq: 4715462,
      repo: 'did:plc:o32okshy54r5h2vlrjpz3aln',
      time: '2023-04-23T23:05:15.389Z',
      rebase: false,
      tooBig: false,
      blobs: [],
    });
    expect(frame.body.commit.toString()).toBe('bafyreicxvbmt5ux4idwebr4s6jvmjfzgfom7ahdbot5glyi74zzbslzbli');
    expect(frame.body.ops).toEqual([
      { action: 'create', path: 'app.bsky.feed.post/3ju35q7husm2p', cid: link('bafyreifnusfxza4u2kcv7f7j4r7mb2td2v3xrynpcqud5inayllkq3obua') },
    ]);
    expect(frame.body.blocks.length).toBe(5082);
  });

  it('decodes the six post_lifecycle commits with their ops (prev on updates and deletes, null cid on deletes)', () => {
    const frames = loadIndigoScenario('post_lifecycle').map(({ bytes }) => expectType(decodeFrame(bytes), 'commit'));
    expect(frames.map((frame) => [frame.body.seq, frame.body.rev, frame.body.since, frame.body.time])).toEqual([
      [35941522, '3lmxjza3nva27', '3lmxjxi3hjn23', '2025-04-16T21:30:26.717Z'],
      [35942466, '3lmxjzbfkb522', '3lmxjza3nva27', '2025-04-16T21:30:28.094Z'],
      [35949840, '3lmxjzlrcpk24', '3lmxjzbfkb522', '2025-04-16T21:30:38.972Z'],
      [35956607, '3lmxjzvdjcc2e', '3lmxjzlrcpk24', '2025-04-16T21:30:48.995Z'],
      [35962789, '3lmxk25y7ad22', '3lmxjzvdjcc2e', '2025-04-16T21:30:58.052Z'],
      [35986865, '3lmxk36v2fg2o', '3lmxk25y7ad22', '2025-04-16T21:31:33.046Z'],
    ]);
    expect(frames.every((frame) => frame.body.repo === 'did:plc:44ybard66vv44zksje25o7dz')).toBe(true);
    expect(frames[1].body.ops).toEqual([
      {
        action: 'delete',
        path: 'app.bsky.feed.like/3lmxjza3h2i27',
        cid: null,
        prev: link('bafyreicftwsv77h736dhuqe6mdhbanbxyronlwwoogdqyvjkxkvggubhwy'),
      },
    ]);
    expect(frames[4].body.ops).toEqual([
      {
        action: 'update',
        path: 'app.bsky.actor.profile/self',
        cid: link('bafyreib5ojewycjw3oge3zwphhs6g6s4yo4mezubfqzujglonqdkcx7dda'),
        prev: link('bafyreib6e4oxoxrlxpwhfvz3smwmcdmrdmtupwtjikoscnls5lvswk5224'),
      },
    ]);
    expect(frames[5].body.ops.map((op) => op.path)).toEqual([
      'app.bsky.feed.post/3lmxk35znys2k',
      'app.bsky.feed.threadgate/3lmxk35znys2k',
      'app.bsky.feed.postgate/3lmxk35znys2k',
    ]);
    expect(frames[0].body.prevData?.toString()).toBe('bafyreibs6fzaletha2gggf3wnldgxs4w4aqm3eu2jpwo5ffg2trxra7lu4');
  });

  it('decodes the account_lifecycle frames: identity, account, sync, inactive account', () => {
    const frames = loadIndigoScenario('account_lifecycle').map(({ bytes }) => decodeFrame(bytes));
    expect(expectType(frames[0], 'identity').body).toEqual({
      did: 'did:plc:vvpy7d6y2li5yo73cgbszibl',
      handle: 'pengua.bsky.social',
      seq: 110,
      time: '2025-04-16T23:40:33.895Z',
    });
    expect(expectType(frames[1], 'account').body).toEqual({
      active: true,
      did: 'did:plc:vvpy7d6y2li5yo73cgbszibl',
      seq: 120,
      time: '2025-04-16T23:40:33.895Z',
    });
    expect(expectType(frames[2], 'sync').body).toMatchObject({
      did: 'did:plc:vvpy7d6y2li5yo73cgbszibl',
      rev: '3lmxrbvasth2t',
      seq: 130,
      time: '2025-04-16T23:40:33.897Z',
    });
    expect(expectType(frames[3], 'account').body).toEqual({
      active: false,
      did: 'did:plc:vvpy7d6y2li5yo73cgbszibl',
      seq: 140,
      status: 'deleted',
      time: '2025-04-16T23:41:33.895Z',
    });
  });

  it('decodes both indigo firehose_commit bodies (blobs: null accepted)', () => {
    const follows = expectType(decodeFrame(loadIndigoCommitFrame('firehose_commit_4621332152').bytes), 'commit');
    expect(follows.body).toMatchObject({ seq: 4621332152, repo: 'did:plc:vixizgjuwef5ovmixqxalfup', rev: '3lhhvfanmos22' });
    expect(follows.body.ops).toHaveLength(42);
    const profile = expectType(decodeFrame(loadIndigoCommitFrame('firehose_commit_4623075231').bytes), 'commit');
    expect(profile.body).toMatchObject({ seq: 4623075231, repo: 'did:plc:sxtoas2sxjv6gh2bibdg3g4b', rev: '3lhhxizu5wr2d', since: '3lhhxiz32k52v' });
  });
});

describe('decodeFrame conformance: constructed frames', () => {
  const time = '2024-09-25T12:00:00.000Z';

  it('keeps size = byte length for every frame type', () => {
    const frames = [
      identityFrame({ seq: 1, did, time }),
      accountFrame({ seq: 2, did, time, active: true }),
      infoFrame({ name: 'OutdatedCursor' }),
      errorFrame('FutureCursor'),
      messageFrame('#labels', { seq: 3, labels: [] }),
    ];
    for (const bytes of frames) expect(decodeFrame(bytes).size).toBe(bytes.length);
  });

  it('decodes identity without handle and account with status', () => {
    expect(expectType(decodeFrame(identityFrame({ seq: 1, did, time })), 'identity').body).toEqual({ seq: 1, did, time });
    expect(
      expectType(decodeFrame(accountFrame({ seq: 2, did, time, active: false, status: 'takendown' })), 'account').body,
    ).toEqual({ seq: 2, did, time, active: false, status: 'takendown' });
  });

  it('decodes #sync and #info', () => {
    const blocks = Uint8Array.of(1, 2, 3);
    expect(expectType(decodeFrame(syncFrame({ seq: 5, did, blocks, rev: '3l3qo2vutsw2b', time })), 'sync').body).toMatchObject({
      seq: 5,
      did,
      rev: '3l3qo2vutsw2b',
      time,
    });
    expect(expectType(decodeFrame(infoFrame({ name: 'OutdatedCursor', message: 'too old' })), 'info').body).toEqual({
      name: 'OutdatedCursor',
      message: 'too old',
    });
  });

  it('surfaces error frames (op -1) with error and optional message', () => {
    expect(decodeFrame(errorFrame('FutureCursor', 'Cursor in the future.'))).toMatchObject({
      type: 'error',
      error: 'FutureCursor',
      message: 'Cursor in the future.',
    });
    const bare = expectType(decodeFrame(errorFrame('ConsumerTooSlow')), 'error');
    expect(bare.error).toBe('ConsumerTooSlow');
    expect(bare.message).toBeUndefined();
  });

  it.each(['#labels', '#handle', '#tombstone', '#migrate', '#future'])('skips unknown type %s as unknown, keeping its seq', (t) => {
    const frame = expectType(decodeFrame(messageFrame(t, { seq: 77, did, time })), 'unknown');
    expect(frame.t).toBe(t);
    expect(frame.seq).toBe(77);
  });

  it('decodes a commit with tooBig set (the mapping drops it, the decoder keeps it)', () => {
    const { body } = buildCommit({ did, rev: '3l3qo2vutsw2b', tooBig: true, writes: [] });
    expect(expectType(decodeFrame(commitFrame(body)), 'commit').body.tooBig).toBe(true);
  });

  it('decodes 64-bit relay seqs beyond 2^32', () => {
    expect(expectType(decodeFrame(identityFrame({ seq: 2 ** 40 + 3, did, time })), 'identity').body.seq).toBe(2 ** 40 + 3);
  });

  it('accepts fields in non-canonical order and unknown extra fields', () => {
    const bytes = concatBytes([
      dagCbor.encode({ op: 1, t: '#identity' }),
      cborMap(
        [
          ['time', cborText(time)],
          ['extra', cborInt(1)],
          ['seq', cborInt(9)],
          ['did', cborText(did)],
        ],
        { keepOrder: true },
      ),
    ]);
    expect(expectType(decodeFrame(bytes), 'identity').body).toEqual({ seq: 9, did, time });
  });
});

const identityHeader = dagCbor.encode({ op: 1, t: '#identity' });

describe('decodeFrame conformance: malformed frames are typed invalid, never thrown', () => {
  const carbox = loadCarboxFrame();
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['one byte', Uint8Array.of(0xa2)],
    ['header only', dagCbor.encode({ op: 1, t: '#commit' })],
    ['truncated header', carbox.subarray(0, 5)],
    ['truncated body (10 bytes in)', carbox.subarray(0, 30)],
    ['truncated body (inside blocks)', carbox.subarray(0, 2000)],
    ['truncated body (last byte missing)', carbox.subarray(0, carbox.length - 1)],
    ['garbage', Uint8Array.from({ length: 64 }, (_, i) => (i * 151 + 7) & 0xff)],
    ['JSON text', new TextEncoder().encode('{"op":1,"t":"#commit"}')],
    ['header is an array', concatBytes([dagCbor.encode([1, '#commit']), dagCbor.encode({ seq: 1 })])],
    ['header without op', concatBytes([dagCbor.encode({ t: '#identity' }), dagCbor.encode({ seq: 1, did, time: 'x' })])],
    ['body is not a map', concatBytes([dagCbor.encode({ op: 1, t: '#identity' }), dagCbor.encode('hello')])],
    ['commit body without ops', buildFrame({ op: 1, t: '#commit' }, { seq: 1, repo: 'did:plc:x', time: 'x' })],
    ['unknown op', buildFrame({ op: 2, t: '#commit' }, { seq: 1 })],
    ['byte string declaring 2^64-1 bytes', concatBytes([identityHeader, Uint8Array.of(0xa1, 0x63, 0x64, 0x69, 0x64, 0x5b), new Uint8Array(8).fill(0xff)])],
    ['array declaring 2^32 entries', concatBytes([identityHeader, Uint8Array.of(0xa1, 0x61, 0x78, 0x9b, 0, 0, 0, 1, 0, 0, 0, 0)])],
    ['map declaring 2^32-1 entries', concatBytes([identityHeader, Uint8Array.of(0xba, 0xff, 0xff, 0xff, 0xff)])],
    ['reserved additional info 28', concatBytes([identityHeader, Uint8Array.of(0xa1, 0x61, 0x78, 0x1c)])],
  ];

  it.each(cases)('%s', (_name, bytes) => {
    let frame: FirehoseFrame | undefined;
    expect(() => (frame = decodeFrame(bytes))).not.toThrow();
    expect(frame).toMatchObject({ type: 'invalid', size: bytes.length, reason: expect.any(String) });
  });
});

describe('decodeFrame conformance: hostile but well-formed input', () => {
  it('skips an unknown field nested 100,000 levels deep without throwing', () => {
    const deep = concatBytes([new Uint8Array(100000).fill(0x81), Uint8Array.of(0x00)]);
    const body = cborMap([
      ['did', cborText(did)],
      ['seq', cborInt(1)],
      ['time', cborText('2024-09-25T12:00:00.000Z')],
      ['zzz', deep],
    ]);
    let frame: FirehoseFrame | undefined;
    expect(() => (frame = decodeFrame(concatBytes([identityHeader, body])))).not.toThrow();
    expect(['identity', 'invalid']).toContain(frame?.type);
  });
});

describe('decodeFrames conformance', () => {
  it('keeps going after bad frames and reports them to the DropReporter', async () => {
    const drops = createDropRecorder();
    const input = [
      identityFrame({ seq: 1, did, time: '2024-09-25T12:00:00.000Z' }),
      Uint8Array.of(0xff, 0x00, 0x13),
      loadCarboxFrame().subarray(0, 100),
      accountFrame({ seq: 2, did, time: '2024-09-25T12:00:00.000Z', active: true }),
    ];
    const frames = await lastValueFrom(from(input).pipe(decodeFrames({ drops }), toArray()));
    expect(frames.filter((frame) => frame.type !== 'invalid').map((frame) => frame.type)).toEqual(['identity', 'account']);
    expect(drops.reports.filter((report) => report.stage === 'frame')).toHaveLength(2);
  });
});
