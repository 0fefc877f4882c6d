import { buildFrame, loadCarboxFrame, loadIndigoCommitFrame, loadIndigoScenario } from '@jetstream-ts/testkit';
import type { FirehoseFrame } from '@jetstream-ts/models';
import { CID } from 'multiformats/cid';
import { decodeFrame } from './decode-frame.js';
import { decodeFrameWithLibrary } from './decode-frame-with-library.test-util.js';

const RECORD_CID = CID.parse('bafyreide63hdwry7d7hhs3eyrzab2ntcobdnhjmdvqwpsidg6ctil6ostq');
const COMMIT_CID = CID.parse('bafyreifynamoq3fty5finpxowgomhl5oy6bdld2vtwwkjxwlo6mui4rk6y');

const fixtureFrames: [string, Uint8Array][] = [
  ['carbox/donkeyballs', loadCarboxFrame()],
  ...loadIndigoScenario('post_lifecycle').map(({ bytes }, i): [string, Uint8Array] => [`post_lifecycle#${i}`, bytes]),
  ...loadIndigoScenario('account_lifecycle').map(({ bytes }, i): [string, Uint8Array] => [`account_lifecycle#${i}`, bytes]),
  ['firehose_commit_4621332152', loadIndigoCommitFrame('firehose_commit_4621332152').bytes],
  ['firehose_commit_4623075231', loadIndigoCommitFrame('firehose_commit_4623075231').bytes],
];

function commitBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    seq: 42,
    rebase: false,
    tooBig: false,
    repo: 'did:plc:abc',
    commit: COMMIT_CID,
    rev: '3kabc',
    since: null,
    blocks: new Uint8Array([1, 2, 3]),
    ops: [{ action: 'create', path: 'app.bsky.feed.post/3kabc', cid: RECORD_CID }],
    blobs: [],
    time: '2024-01-01T00:00:00.000Z',
    ...overrides,
  };
}

function without(body: Record<string, unknown>, ...fields: string[]): Record<string, unknown> {
  const copy = { ...body };
  for (const field of fields) delete copy[field];
  return copy;
}

function expectSameAsLibrary(bytes: Uint8Array): FirehoseFrame {
  const frame = decodeFrame(bytes);
  const reference = decodeFrameWithLibrary(bytes);
  if (frame.type === 'invalid') expect(reference.type).toBe('invalid');
  else expect(frame).toEqual(reference);
  return frame;
}

describe('decodeFrame', () => {
  it.each(fixtureFrames)('decodes %s exactly as the library path does', (_name, bytes) => {
    const frame = expectSameAsLibrary(bytes);
    expect(frame.type).not.toBe('invalid');
  });

  it('decodes the carbox commit frame', () => {
    const bytes = loadCarboxFrame();
    const frame = decodeFrame(bytes);
    if (frame.type !== 'commit') throw new Error(`expected a commit, got ${frame.type}`);
    expect(frame.size).toBe(5408);
    expect(frame.body.seq).toBe(4715462);
    expect(frame.body.ops).toHaveLength(1);
    expect(frame.body.ops[0].action).toBe('create');
    expect(frame.body.ops[0].path.startsWith('app.bsky.feed.post/')).toBe(true);
    expect(frame.body.ops[0].cid).toBeInstanceOf(CID);
    expect(frame.body.repo.startsWith('did:plc:')).toBe(true);
  });

  it('returns blocks as a zero-copy view of the frame', () => {
    const bytes = loadCarboxFrame();
    const frame = decodeFrame(bytes);
    if (frame.type !== 'commit') throw new Error('expected a commit');
    expect(frame.body.blocks.buffer).toBe(bytes.buffer);
    expect(frame.body.blocks.byteOffset).toBeGreaterThan(0);
  });

  it('decodes the indigo account lifecycle: identity, active and deleted accounts, sync', () => {
    const frames = loadIndigoScenario('account_lifecycle').map(({ bytes }) => decodeFrame(bytes));
    expect(frames.map((frame) => frame.type)).toEqual(['identity', 'account', 'sync', 'account']);
    expect(frames[0]).toMatchObject({
      body: { did: 'did:plc:vvpy7d6y2li5yo73cgbszibl', handle: 'pengua.bsky.social', seq: 110, time: '2025-04-16T23:40:33.895Z' },
    });
    expect(frames[3]).toMatchObject({ body: { active: false, status: 'deleted', seq: 140 } });
  });

  it('turns blobs: null into an empty array and reads the CIDs without the 0x00 prefix', () => {
    const frame = decodeFrame(buildFrame({ op: 1, t: '#commit' }, commitBody({ blobs: null })));
    if (frame.type !== 'commit') throw new Error('expected a commit');
    expect(frame.body.blobs).toEqual([]);
    expect(frame.body.commit.equals(COMMIT_CID)).toBe(true);
    expect(frame.body.ops[0].cid?.equals(RECORD_CID)).toBe(true);
  });

  it('fills in absent optional commit fields', () => {
    const body = without(commitBody(), 'since', 'rebase', 'tooBig', 'blobs');
    const frame = expectSameAsLibrary(buildFrame({ op: 1, t: '#commit' }, body));
    expect(frame).toMatchObject({ type: 'commit', body: { since: null, rebase: false, tooBig: false, blobs: [] } });
    expect('prevData' in (frame as { body: object }).body).toBe(false);
  });

  it('keeps prevData and op prev, null or not', () => {
    const ops = [
      { action: 'delete', path: 'app.bsky.feed.like/3kx', cid: null, prev: RECORD_CID },
      { action: 'update', path: 'app.bsky.actor.profile/self', cid: RECORD_CID, prev: null },
    ];
    const frame = expectSameAsLibrary(buildFrame({ op: 1, t: '#commit' }, commitBody({ ops, prevData: null })));
    if (frame.type !== 'commit') throw new Error('expected a commit');
    expect(frame.body.prevData).toBeNull();
    expect(frame.body.ops[0].prev?.equals(RECORD_CID)).toBe(true);
    expect(frame.body.ops[1].prev).toBeNull();
  });

  it('decodes error frames', () => {
    expect(expectSameAsLibrary(buildFrame({ op: -1 }, { error: 'FutureCursor', message: 'Cursor in the future.' }))).toEqual({
      type: 'error',
      size: expect.any(Number),
      error: 'FutureCursor',
      message: 'Cursor in the future.',
    });
    expect(expectSameAsLibrary(buildFrame({ op: -1 }, { error: 'ConsumerTooSlow' }))).toMatchObject({
      type: 'error',
      error: 'ConsumerTooSlow',
    });
  });

  it('reports unknown message types with their seq when they have one', () => {
    expect(expectSameAsLibrary(buildFrame({ op: 1, t: '#labels' }, { seq: 7, labels: [] }))).toMatchObject({
      type: 'unknown',
      t: '#labels',
      seq: 7,
    });
    const withoutSeq = expectSameAsLibrary(buildFrame({ op: 1, t: '#future' }, { name: 'x' }));
    expect(withoutSeq).toEqual({ type: 'unknown', size: expect.any(Number), t: '#future' });
  });

  it('decodes #info and tolerates a null handle and status', () => {
    expect(expectSameAsLibrary(buildFrame({ op: 1, t: '#info' }, { name: 'OutdatedCursor' }))).toMatchObject({
      type: 'info',
      body: { name: 'OutdatedCursor' },
    });
    const identity = expectSameAsLibrary(
      buildFrame({ op: 1, t: '#identity' }, { seq: 1, did: 'did:plc:a', time: '2024-01-01T00:00:00Z', handle: null }),
    );
    expect(identity).toEqual({ type: 'identity', size: expect.any(Number), body: { seq: 1, did: 'did:plc:a', time: '2024-01-01T00:00:00Z' } });
  });

  const validCommit = buildFrame({ op: 1, t: '#commit' }, commitBody());
  const invalidFrames: [string, Uint8Array][] = [
    ['empty input', new Uint8Array(0)],
    ['a header only', buildFrame({ op: 1, t: '#commit' }, null).subarray(0, 12)],
    ['a truncated commit', validCommit.subarray(0, validCommit.length - 5)],
    ['bytes after the body', new Uint8Array([...validCommit, 0])],
    ['an unknown op', buildFrame({ op: 2, t: '#commit' }, commitBody())],
    ['a message without t', buildFrame({ op: 1 }, commitBody())],
    ['a commit without repo', buildFrame({ op: 1, t: '#commit' }, without(commitBody(), 'repo'))],
    ['a commit with a string seq', buildFrame({ op: 1, t: '#commit' }, commitBody({ seq: '42' }))],
    ['a commit whose blocks are a string', buildFrame({ op: 1, t: '#commit' }, commitBody({ blocks: 'x' }))],
    ['an op without a path', buildFrame({ op: 1, t: '#commit' }, commitBody({ ops: [{ action: 'create', cid: null }] }))],
    ['an account without active', buildFrame({ op: 1, t: '#account' }, { seq: 1, did: 'did:plc:a', time: 't' })],
    ['an error frame without error', buildFrame({ op: -1 }, { message: 'x' })],
    ['indefinite-length CBOR', new Uint8Array([0xa2, 0x61, 0x74, 0x67, ...Buffer.from('#commit'), 0x62, 0x6f, 0x70, 0x01, 0xbf, 0xff])],
    ['random bytes', new Uint8Array([0xff, 0x00, 0x13, 0x37])],
  ];

  it.each(invalidFrames)('returns an invalid frame for %s, never throwing', (_name, bytes) => {
    const frame = expectSameAsLibrary(bytes);
    expect(frame).toEqual({ type: 'invalid', size: bytes.length, reason: expect.any(String) });
  });
});
