import { decodeFrame } from '@jetstream-ts/frames';
import type { CommitBody, RepoOp } from '@jetstream-ts/models';
import {
  blockMatchesCid,
  buildCommit,
  cborArray,
  cborBytes,
  cborCid,
  cborInt,
  cborMap,
  cborNull,
  cidOf,
  createDropRecorder,
  dagCborBlock,
  encodeCar,
  loadCarboxFrame,
  loadIndigoCommitFrame,
  loadIndigoScenario,
  readCar,
  readFixture,
} from '@jetstream-ts/testkit';
import * as dagCbor from '@ipld/dag-cbor';
import type { CID } from 'multiformats/cid';
import { extractCommitRecords, type OpRecords } from './commit-records.js';
import { extractCommitRecordsWithLibrary } from './commit-records-with-library.test-util.js';

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const post = (text: string) => ({ $type: 'app.bsky.feed.post', text, createdAt: '2024-09-25T00:00:00.000Z' });

function commitBodyOf(bytes: Uint8Array): CommitBody {
  const frame = decodeFrame(bytes);
  if (frame.type !== 'commit') throw new Error(`expected a commit, got ${frame.type}`);
  return frame.body;
}

const fixtureCommits: [string, CommitBody][] = [
  ['carbox/donkeyballs', commitBodyOf(loadCarboxFrame())],
  ...loadIndigoScenario('post_lifecycle').map(({ bytes }, i): [string, CommitBody] => [`post_lifecycle#${i}`, commitBodyOf(bytes)]),
  ['firehose_commit_4621332152', commitBodyOf(loadIndigoCommitFrame('firehose_commit_4621332152').bytes)],
  ['firehose_commit_4623075231', commitBodyOf(loadIndigoCommitFrame('firehose_commit_4623075231').bytes)],
];

/** The paths of the records an MST node names, with their record CIDs (keys rebuilt from prefixes). */
function nodeEntries(bytes: Uint8Array): [string, CID][] {
  const node = dagCbor.decode<{ e?: { p: number; k: Uint8Array; v: CID }[] }>(bytes);
  let previous = '';
  return (node.e ?? []).map(({ p, k, v }) => {
    previous = previous.slice(0, p) + Buffer.from(k).toString('utf8');
    return [previous, v];
  });
}

/**
 * A commit whose CAR is a whole fixture file and whose ops create every record the CAR's MST
 * nodes name and the CAR holds (all records of a full repo; the one post of a commit slice).
 */
function repoCarCommit(name: string): CommitBody {
  const car = readFixture(name);
  const { roots, blocks } = readCar(car);
  const ops: RepoOp[] = [...blocks.values()]
    .flatMap(({ bytes }) => ('e' in dagCbor.decode<object>(bytes) ? nodeEntries(bytes) : []))
    .filter(([, cid]) => blocks.has(cid.toString()))
    .map(([path, cid]) => ({ action: 'create', path, cid }));
  return { seq: 1, rebase: false, tooBig: false, repo: DID, commit: roots[0], rev: '3l', since: null, blocks: car, ops, blobs: [], time: '2024-01-01T00:00:00Z' };
}

async function expectSameAsLibrary(commit: CommitBody): Promise<OpRecords | undefined> {
  const fast = createDropRecorder();
  const library = createDropRecorder();
  const records = extractCommitRecords(commit, fast);
  expect(records).toEqual(await extractCommitRecordsWithLibrary(commit, library));
  expect(fast.reports).toEqual(library.reports);
  return records;
}

function expectRecordsOfCreatesAndUpdates(commit: CommitBody, records: OpRecords | undefined): void {
  expect(records).toHaveLength(commit.ops.length);
  commit.ops.forEach((op, i) => {
    const record = records?.[i];
    if (op.action === 'create' || op.action === 'update') {
      expect(record?.cid.equals(op.cid as CID)).toBe(true);
      expect(blockMatchesCid(record as { cid: CID; bytes: Uint8Array })).toBe(true);
    } else expect(record).toBeUndefined();
  });
}

describe('extractCommitRecords', () => {
  it.each(fixtureCommits)('finds and verifies every record of %s, as the library path does', async (_name, commit) => {
    const drops = createDropRecorder();
    expectRecordsOfCreatesAndUpdates(commit, extractCommitRecords(commit, drops));
    expect(drops.reports).toEqual([]);
    await expectSameAsLibrary(commit);
  });

  it.each(['repo-stream/tiny.car', 'repo-stream/little.car', 'skyfall/attie.car'])(
    'finds and verifies every record of the CAR file %s through its MST',
    async (name) => {
      const commit = repoCarCommit(name);
      expect(commit.ops.length).toBeGreaterThan(0);
      const records = await expectSameAsLibrary(commit);
      expectRecordsOfCreatesAndUpdates(commit, records);
    },
  );

  it('returns records as views of the CAR, aligned with the ops', () => {
    const { body, records } = buildCommit({
      did: DID,
      rev: '3l3qo2vutsw2b',
      writes: [
        { action: 'delete', collection: 'app.bsky.feed.like', rkey: '3kaaaaaaaaaa2' },
        { action: 'create', collection: 'app.bsky.feed.post', rkey: '3kaaaaaaaaaa3', record: post('one') },
        { action: 'create', collection: 'app.bsky.feed.post', rkey: '3kaaaaaaaaaa4', record: post('two') },
      ],
    });
    const result = extractCommitRecords(body);
    expect(result?.[0]).toBeUndefined();
    expect(result?.[1]?.bytes).toEqual(records.get('app.bsky.feed.post/3kaaaaaaaaaa3')?.bytes);
    expect(result?.[2]?.bytes).toEqual(records.get('app.bsky.feed.post/3kaaaaaaaaaa4')?.bytes);
    expect(result?.[1]?.bytes.buffer).toBe(body.blocks.buffer);
  });

  it('drops only the op whose block does not hash to its CID, and reports it', async () => {
    const { body } = buildCommit({
      did: DID,
      rev: '3l3qo2vutsw2b',
      seq: 9,
      writes: [
        { action: 'create', collection: 'app.bsky.feed.post', rkey: '3kaaaaaaaaaa3', record: post('bad'), corruptBlock: true },
        { action: 'create', collection: 'app.bsky.feed.post', rkey: '3kaaaaaaaaaa4', record: post('good') },
      ],
    });
    const drops = createDropRecorder();
    const records = extractCommitRecords(body, drops);
    expect(records?.[0]).toBeUndefined();
    expect(records?.[1]).toBeDefined();
    expect(drops.reports).toEqual([
      { stage: 'op', reason: 'record-hash-mismatch', detail: body.ops[0].cid?.toString(), seq: 9, did: DID, path: 'app.bsky.feed.post/3kaaaaaaaaaa3' },
    ]);
    await expectSameAsLibrary(body);
  });

  it('reports a record missing from the CAR', async () => {
    const { body } = buildCommit({
      did: DID,
      rev: '3l3qo2vutsw2b',
      writes: [{ action: 'update', collection: 'app.bsky.actor.profile', rkey: 'self', record: { displayName: 'x' }, omitBlock: true }],
    });
    const drops = createDropRecorder();
    expect(extractCommitRecords(body, drops)).toEqual([undefined]);
    expect(drops.reports).toMatchObject([{ stage: 'op', reason: 'record-missing', path: 'app.bsky.actor.profile/self' }]);
    await expectSameAsLibrary(body);
  });

  it('ignores ops without a cid, actions that carry no record and paths without a slash', () => {
    const { body } = buildCommit({
      did: DID,
      rev: '3l3qo2vutsw2b',
      writes: [
        { action: 'create', collection: 'app.bsky.feed.post', rkey: '3kaaaaaaaaaa3', record: post('x'), cid: null },
        { action: 'frobnicate', collection: 'app.bsky.feed.post', rkey: '3kaaaaaaaaaa4', record: post('y') },
        { action: 'create', path: 'noslash', record: post('z') },
      ],
    });
    const drops = createDropRecorder();
    expect(extractCommitRecords(body, drops)).toEqual([undefined, undefined, undefined]);
    expect(drops.reports).toEqual([]);
  });

  it('drops the op whose cid is not the one the MST holds for its path', async () => {
    const other = dagCborBlock(post('elsewhere'));
    const { body } = buildCommit({
      did: DID,
      rev: '3l3qo2vutsw2b',
      writes: [{ action: 'create', collection: 'app.bsky.feed.post', rkey: '3kaaaaaaaaaa3', record: post('x'), cid: other.cid }],
      extraBlocks: [other],
    });
    const drops = createDropRecorder();
    expect(extractCommitRecords(body, drops)).toEqual([undefined]);
    expect(drops.reports).toMatchObject([{ stage: 'op', reason: 'record-cid-mismatch', path: 'app.bsky.feed.post/3kaaaaaaaaaa3' }]);
    await expectSameAsLibrary(body);
  });

  it('resolves paths absent from the MST through nodes already read for earlier ops, as the library does', async () => {
    // Every op of a full repo walks the upper nodes again (those are read whole and reused);
    // paths just around each record's fall before, between and after their node's entries.
    const commit = repoCarCommit('repo-stream/little.car');
    const around = commit.ops.flatMap((op) => [
      op,
      { ...op, path: `${op.path}0` },
      { ...op, path: op.path.slice(0, -1) },
    ]);
    const withAbsentPaths = { ...commit, ops: [{ ...commit.ops[0], path: '!/a' }, ...around, { ...commit.ops[0], path: '~/z' }] };
    const records = await expectSameAsLibrary(withAbsentPaths);
    expect(records?.filter((record) => record !== undefined)).toHaveLength(commit.ops.length);
  });

  it('drops the ops whose MST nodes are missing, or whose path is not in the MST', async () => {
    const missingNodes = buildCommit({
      did: DID,
      rev: '3l3qo2vutsw2b',
      writes: [{ action: 'create', collection: 'app.bsky.feed.post', rkey: '3kaaaaaaaaaa3', record: post('x') }],
      omitBlocks: ['mst'],
    }).body;
    const drops = createDropRecorder();
    expect(extractCommitRecords(missingNodes, drops)).toEqual([undefined]);
    expect(drops.reports).toMatchObject([{ stage: 'op', reason: 'record-missing', detail: 'mst-node-missing' }]);
    await expectSameAsLibrary(missingNodes);

    const stray = dagCborBlock(post('stray'));
    const built = buildCommit({ did: DID, rev: '3l', writes: [{ action: 'create', collection: 'a.b.c', rkey: 'k', record: {} }], extraBlocks: [stray] });
    const notInMst = { ...built.body, ops: [...built.body.ops, { action: 'create', path: 'a.b.c/zzz', cid: stray.cid }] };
    await expectSameAsLibrary(notInMst);
    expect(extractCommitRecords(notInMst)?.map((record) => record !== undefined)).toEqual([true, false]);
  });

  it('walks MST nodes written in a non-canonical layout (entry fields out of order)', async () => {
    const first = dagCborBlock(post('first'));
    const second = dagCborBlock(post('second'));
    const entry = (fields: [string, Uint8Array][]) => cborMap(fields, { keepOrder: true });
    const leaf = dagCborBlockOf(
      cborMap([
        ['e', cborArray([
          entry([['v', cborCid(first.cid)], ['p', cborInt(0)], ['t', cborNull()], ['k', cborBytes(Buffer.from('app.bsky.feed.post/a'))]]),
          entry([['p', cborInt(19)], ['k', cborBytes(Buffer.from('b'))], ['t', cborNull()], ['v', cborCid(second.cid)]]),
        ])],
        ['l', cborNull()],
      ]),
    );
    const signed = dagCborBlock({ did: DID, version: 3, data: leaf.cid, rev: '3l', prev: null, sig: new Uint8Array(64) });
    const body: CommitBody = {
      ...buildCommit({ did: DID, rev: '3l', writes: [] }).body,
      commit: signed.cid,
      blocks: encodeCar([signed.cid], [signed, leaf, first, second]),
      ops: [
        { action: 'create', path: 'app.bsky.feed.post/b', cid: second.cid },
        { action: 'create', path: 'app.bsky.feed.post/a', cid: first.cid },
        { action: 'create', path: 'app.bsky.feed.post/c', cid: first.cid },
      ],
    };
    const records = await expectSameAsLibrary(body);
    expect(records?.map((record) => record?.cid.toString())).toEqual([second.cid.toString(), first.cid.toString(), undefined]);
  });

  describe('drops the whole commit when the CAR is malformed', () => {
    const base = buildCommit({
      did: DID,
      rev: '3l3qo2vutsw2b',
      seq: 5,
      writes: [{ action: 'create', collection: 'app.bsky.feed.post', rkey: '3kaaaaaaaaaa3', record: post('x') }],
    });
    const car = base.body.blocks;
    const record = base.records.get('app.bsky.feed.post/3kaaaaaaaaaa3');
    const oldCommit = dagCborBlock({ did: DID, version: 1, data: base.mst.root, rev: '3l', prev: null, sig: new Uint8Array(64) });
    const cases: [string, Uint8Array][] = [
      ['an empty CAR', new Uint8Array(0)],
      ['a truncated CAR', car.subarray(0, car.length - 10)],
      ['a truncated header', car.subarray(0, 20)],
      ['garbage', new Uint8Array([0x05, 1, 2, 3, 4, 5])],
      ['a CAR v2 header', encodeCarWithVersion(2, car)],
      ['a CAR without its root commit block', buildCommit({ ...base.body, did: DID, rev: '3l', writes: [{ action: 'create', collection: 'a.b.c', rkey: 'k', record: {} }], omitBlocks: ['commit'] }).body.blocks],
      ['a commit block of repo version 1', encodeCar([oldCommit.cid], [oldCommit, record ?? oldCommit])],
    ];

    it.each(cases)('%s', async (_name, blocks) => {
      const body = { ...base.body, blocks };
      const drops = createDropRecorder();
      expect(extractCommitRecords(body, drops)).toBeUndefined();
      expect(drops.reports).toEqual([{ stage: 'commit', reason: 'malformed-car', detail: expect.any(String), seq: 5, did: DID }]);
      expect(await extractCommitRecordsWithLibrary(body)).toBeUndefined();
    });
  });
});

/** A block over raw CBOR bytes. */
function dagCborBlockOf(bytes: Uint8Array): { cid: CID; bytes: Uint8Array } {
  return { cid: cidOf(bytes), bytes };
}

/** The same CAR with its header's version replaced. */
function encodeCarWithVersion(version: number, car: Uint8Array): Uint8Array {
  const { roots, blocks } = readCar(car);
  const valid = encodeCar(roots, blocks.values());
  const headerLength = valid[0];
  const patched = valid.slice();
  // The header ends with `version` (a 1-byte integer) in canonical DAG-CBOR key order.
  patched[headerLength] = version;
  return patched;
}
