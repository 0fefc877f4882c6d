/**
 * Conformance of record extraction with the v1 reference (§2.4 steps 2 and 5, §9.13): v1 reads
 * the CAR with `ReadRepoFromCar` (first root = signed commit, repo version 2 or 3; failure drops
 * the whole commit) and resolves each create/update record by walking the MST from the commit's
 * `data` root (`GetRecordBytes(path)`): MST nodes or record missing → op dropped; CID found in
 * the MST differing from `op.cid` → op dropped. Block hashes are verified (project rule): a
 * record block that does not hash to its CID drops that op only. Inputs are built with
 * @jetstream-ts/testkit; expected records are the fixture blocks read independently.
 */
import type { CommitBody } from '@jetstream-ts/models';
import {
  buildCommit,
  concatBytes,
  createPost,
  createDropRecorder,
  dagCborBlock,
  encodeCar,
  loadIndigoCommitFrame,
  loadIndigoScenario,
  postRecord,
  readCar,
  type BuildCommitOptions,
  type RecordWrite,
} from '@jetstream-ts/testkit';
import { extractCommitRecords } from './commit-records.js';

const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const rev = '3l3qo2vutsw2b';
const post = postRecord;
const create = createPost;

function commit(writes: RecordWrite[], options: Partial<BuildCommitOptions> = {}) {
  return buildCommit({ did, rev, seq: 11, writes, ...options });
}

/** The record bytes extracted per op, as hex, or undefined. */
function extracted(body: CommitBody, drops = createDropRecorder()) {
  const records = extractCommitRecords(body, drops);
  return records?.map((record) => (record ? Buffer.from(record.bytes).toString('hex') : undefined));
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('extractCommitRecords conformance: real commits', () => {
  const bodies: [string, CommitBody][] = [
    ...loadIndigoScenario('post_lifecycle').map((frame, i): [string, CommitBody] => [`post_lifecycle #${i}`, frame.body as unknown as CommitBody]),
    ['firehose_commit_4621332152', loadIndigoCommitFrame('firehose_commit_4621332152').body as unknown as CommitBody],
    ['firehose_commit_4623075231', loadIndigoCommitFrame('firehose_commit_4623075231').body as unknown as CommitBody],
  ];

  it.each(bodies)('%s: each create/update gets the block named by its cid, deletes get none', (_name, body) => {
    const blocks = readCar(body.blocks).blocks;
    const expected = body.ops.map((op) => (op.action === 'delete' ? undefined : hex(blocks.get(op.cid!.toString())!.bytes)));
    const drops = createDropRecorder();
    expect(extracted(body, drops)).toEqual(expected);
    expect(drops.reports).toEqual([]);
  });
});

describe('extractCommitRecords conformance: constructed commits', () => {
  it('returns records aligned with ops: create, update, delete, unknown action', () => {
    const first = commit([create('a', 'one'), create('b', 'two')]);
    const second = commit(
      [
        { action: 'update', collection: 'app.bsky.feed.post', rkey: 'a', record: post('one, edited') },
        { action: 'delete', collection: 'app.bsky.feed.post', rkey: 'b' },
        { action: 'frobnicate', collection: 'app.bsky.feed.post', rkey: 'c', record: post('odd') },
      ],
      { contents: first.contents },
    );
    const records = extracted(second.body);
    expect(records).toHaveLength(3);
    expect(records?.[0]).toBe(hex(dagCborBlock(post('one, edited')).bytes));
    expect(records?.[1]).toBeUndefined();
    expect(records?.[2]).toBeUndefined();
  });

  it('finds records also when the CAR holds every MST node and unrelated blocks', () => {
    const existing = commit(Array.from({ length: 40 }, (_, i) => create(`r${i}`, `post ${i}`)));
    const next = commit([create('zz', 'new')], {
      contents: existing.contents,
      mstNodes: 'all',
      extraBlocks: [dagCborBlock(post('unrelated'))],
    });
    expect(extracted(next.body)).toEqual([hex(dagCborBlock(post('new')).bytes)]);
  });

  it('reads the signed commit from the CAR root, not from the frame commit field (v1 ignores it)', () => {
    const built = commit([create('a', 'one')]);
    const body = { ...built.body, commit: dagCborBlock({ unrelated: true }).cid };
    expect(extracted(body)).toEqual([hex(dagCborBlock(post('one')).bytes)]);
  });

  it('drops only the op whose record block does not hash to its CID', () => {
    const built = commit([create('a', 'one', { corruptBlock: true }), create('b', 'two')]);
    const drops = createDropRecorder();
    expect(extracted(built.body, drops)).toEqual([undefined, hex(dagCborBlock(post('two')).bytes)]);
    expect(drops.reports).toEqual([expect.objectContaining({ stage: 'op' })]);
  });

  it('drops only the op whose record block is missing', () => {
    const built = commit([create('a', 'one'), create('b', 'two', { omitBlock: true })]);
    const drops = createDropRecorder();
    expect(extracted(built.body, drops)).toEqual([hex(dagCborBlock(post('one')).bytes), undefined]);
    expect(drops.reports).toEqual([expect.objectContaining({ stage: 'op' })]);
  });

  it('drops the op when op.cid differs from the CID the MST holds for its path (§2.4 "record cid mismatch")', () => {
    const other = dagCborBlock(post('not the record at this path'));
    const built = commit([create('a', 'one', { cid: other.cid }), create('b', 'two')], { extraBlocks: [other] });
    const drops = createDropRecorder();
    expect(extracted(built.body, drops)).toEqual([undefined, hex(dagCborBlock(post('two')).bytes)]);
    expect(drops.reports).toEqual([expect.objectContaining({ stage: 'op' })]);
  });

  it('drops the ops whose MST path is missing from the CAR (§2.4 "failed to get record bytes")', () => {
    const built = commit([create('a', 'one'), create('b', 'two')], { omitBlocks: ['mst'] });
    const drops = createDropRecorder();
    expect(extracted(built.body, drops)).toEqual([undefined, undefined]);
    expect(drops.reports.filter((report) => report.stage === 'op')).toHaveLength(2);
  });

  it('drops the op whose path is not in the MST even though a block with its cid is shipped', () => {
    const stray = dagCborBlock(post('stray'));
    const built = commit([create('a', 'one')], { extraBlocks: [stray] });
    const body: CommitBody = {
      ...built.body,
      ops: [...built.body.ops, { action: 'create', path: 'app.bsky.feed.post/notinmst', cid: stray.cid }],
    };
    const drops = createDropRecorder();
    expect(extracted(body, drops)).toEqual([hex(dagCborBlock(post('one')).bytes), undefined]);
    expect(drops.reports).toEqual([expect.objectContaining({ stage: 'op' })]);
  });
});

describe('extractCommitRecords conformance: malformed CARs drop the whole commit', () => {
  const good = commit([create('a', 'one')]);
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['garbage', Uint8Array.from({ length: 200 }, (_, i) => (i * 37 + 11) & 0xff)],
    ['truncated in the header', good.body.blocks.subarray(0, 10)],
    ['truncated inside a block', good.body.blocks.subarray(0, good.body.blocks.length - 5)],
    ['no roots', encodeCar([], [good.commit, ...good.records.values()])],
    ['root commit block missing', commit([create('a', 'one')], { omitBlocks: ['commit'] }).body.blocks],
    ['block length running past the end', concatBytes([good.body.blocks, Uint8Array.of(0x7f, 0x01, 0x71)])],
  ];

  it.each(cases)('%s', (_name, blocks) => {
    const drops = createDropRecorder();
    let result: unknown = 'not called';
    expect(() => (result = extractCommitRecords({ ...good.body, blocks }, drops))).not.toThrow();
    expect(result).toBeUndefined();
    expect(drops.reports).toEqual([expect.objectContaining({ stage: 'commit' })]);
  });

  it('rejects a signed commit of repo version 1 (v1 accepts versions 2 and 3)', () => {
    const commitBlock = dagCborBlock({ did, version: 1, data: good.mst.root, rev, prev: null, sig: new Uint8Array(64) });
    const blocks = encodeCar([commitBlock.cid], [commitBlock, ...good.mst.nodes.values(), ...good.records.values()]);
    const drops = createDropRecorder();
    expect(extractCommitRecords({ ...good.body, commit: commitBlock.cid, blocks }, drops)).toBeUndefined();
    expect(drops.reports).toEqual([expect.objectContaining({ stage: 'commit' })]);
  });

  it('accepts a version 2 signed commit (the carbox era)', () => {
    const commitBlock = dagCborBlock({ did, version: 2, data: good.mst.root, prev: null, sig: new Uint8Array(64) });
    const blocks = encodeCar([commitBlock.cid], [commitBlock, ...good.mst.nodes.values(), ...good.records.values()]);
    expect(extracted({ ...good.body, commit: commitBlock.cid, blocks })).toEqual([hex(dagCborBlock(post('one')).bytes)]);
  });
});

describe('extractCommitRecords on whole commits', () => {
  it('drops a malformed CAR whole (undefined, one commit report) and keeps a good commit', () => {
    const drops = createDropRecorder();
    const good = commit([create('a', 'one')]);
    expect(extractCommitRecords({ ...good.body, blocks: Uint8Array.of(1, 2, 3) }, drops)).toBeUndefined();
    expect(extractCommitRecords(good.body, drops)?.map((record) => record && hex(record.bytes))).toEqual([
      hex(dagCborBlock(post('one')).bytes),
    ]);
    expect(drops.reports.map(({ stage, reason }) => `${stage}/${reason}`)).toEqual(['commit/malformed-car']);
  });
});
