/**
 * Hostile commits (issue 11): each must cost bounded work and drop only what is bad, with a
 * reason. Built with @jetstream-ts/testkit's hostile builders; expected records are the bytes
 * the builders put in the CAR, read back independently with `readCar`.
 */
import { MAX_COMMIT_CAR_BLOCKS, MAX_COMMIT_MST_ENTRY_READS, MAX_COMMIT_MST_NODE_VISITS, MAX_MST_DEPTH, type CommitBody } from '@jetstream-ts/models';
import {
  COLLIDING_CIDS_POST_TEXT,
  HOSTILE_RKEY,
  buildCommit,
  collidingCidsCommit,
  createDropRecorder,
  createPost,
  dagCborBlock,
  deepMstCommit,
  encodeCar,
  forgedMstNodeCommit,
  mstSelfCycleCommit,
  mstTwoNodeCycleCommit,
  postRecord,
  readCar,
  wideMstNodeCommit,
  type Block,
} from '@jetstream-ts/testkit';
import { CID } from 'multiformats/cid';
import { create as createDigest } from 'multiformats/hashes/digest';
import { CarIndex, MAX_INDEX_PROBES } from './car-index.js';
import { DEFAULT_COMMIT_BUDGET } from './commit-budget.js';
import { extractCommitRecords } from './commit-records.js';
import { extractCommitRecordsWithLibrary } from './commit-records-with-library.test-util.js';

const hostilePath = `app.bsky.feed.post/${HOSTILE_RKEY}`;
const hex = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString('hex'));

function reasons(reports: { stage: string; reason: string }[]): string[] {
  return reports.map(({ stage, reason }) => `${stage}/${reason}`);
}

/** The record bytes the CAR holds for each op's cid, as hex. */
function shippedRecords(body: CommitBody): (string | undefined)[] {
  const { blocks } = readCar(body.blocks);
  return body.ops.map((op) => hex(blocks.get(String(op.cid))?.bytes));
}

describe('extractCommitRecords on hostile MSTs', () => {
  it.each([
    ['its own child', mstSelfCycleCommit()],
    ['in a two-node cycle', mstTwoNodeCycleCommit()],
  ])('returns at once when the root MST node is %s, dropping the op: the node does not hash to its CID', async (_name, body) => {
    const drops = createDropRecorder();
    expect(extractCommitRecords(body, drops)).toEqual([undefined]);
    expect(drops.reports).toEqual([
      {
        stage: 'op',
        reason: 'mst-node-hash-mismatch',
        detail: 'an MST node on the path does not hash (sha-256) to its CID',
        seq: 1,
        did: body.repo,
        path: hostilePath,
      },
    ]);
    const library = createDropRecorder();
    await extractCommitRecordsWithLibrary(body, library);
    expect(library.reports).toEqual(drops.reports);
  });

  it('drops an op whose record a forged MST node (shipped under the genuine CID) points to', () => {
    const body = forgedMstNodeCommit();
    const drops = createDropRecorder();
    expect(extractCommitRecords(body, drops)).toEqual([undefined]);
    expect(reasons(drops.reports)).toEqual(['op/mst-node-hash-mismatch']);
  });

  it(`follows a path of ${MAX_MST_DEPTH} valid nodes and drops the op of one a node deeper (mst-too-deep)`, async () => {
    const deepest = deepMstCommit({ depth: MAX_MST_DEPTH });
    expect(extractCommitRecords(deepest)?.map((record) => hex(record?.bytes))).toEqual(shippedRecords(deepest));

    const tooDeep = deepMstCommit({ depth: MAX_MST_DEPTH + 1 });
    const drops = createDropRecorder();
    expect(extractCommitRecords(tooDeep, drops)).toEqual([undefined]);
    expect(drops.reports).toEqual([expect.objectContaining({ stage: 'op', reason: 'mst-too-deep', detail: `more than ${MAX_MST_DEPTH} MST nodes on the path` })]);
    const library = createDropRecorder();
    await extractCommitRecordsWithLibrary(tooDeep, library);
    expect(library.reports).toEqual(drops.reports);
  });

  it('drops the whole commit once its lookups together visit more MST nodes than the budget', () => {
    // 101 ops, each walking 100 nodes: 10,100 visits; 100 ops would be exactly 10,000.
    expect(MAX_COMMIT_MST_NODE_VISITS).toBe(10_000);
    const within = deepMstCommit({ depth: 100, ops: 100 });
    const withinDrops = createDropRecorder();
    expect(extractCommitRecords(within, withinDrops)?.map((record) => hex(record?.bytes))).toEqual(shippedRecords(within));
    expect(withinDrops.reports).toEqual([]);

    const over = deepMstCommit({ depth: 100, ops: 101, seq: 5 });
    const drops = createDropRecorder();
    expect(extractCommitRecords(over, drops)).toBeUndefined();
    expect(drops.reports).toEqual([
      { stage: 'commit', reason: 'over-budget', detail: 'more than 10000 MST node visits', seq: 5, did: over.repo },
    ]);
  });

  it('drops the whole commit once its lookups read more MST entries than the budget', () => {
    // Each lookup reads the node's 20,000 entries: 50 ops read 1,000,000, 51 more.
    expect(MAX_COMMIT_MST_ENTRY_READS).toBe(1_000_000);
    const within = wideMstNodeCommit({ entries: 20_000, ops: 50 });
    const withinDrops = createDropRecorder();
    expect(extractCommitRecords(within, withinDrops)?.map((record) => hex(record?.bytes))).toEqual(shippedRecords(within));
    expect(withinDrops.reports).toEqual([]);

    const over = wideMstNodeCommit({ entries: 20_000, ops: 51, seq: 6 });
    const drops = createDropRecorder();
    expect(extractCommitRecords(over, drops)).toBeUndefined();
    expect(drops.reports).toEqual([
      { stage: 'commit', reason: 'over-budget', detail: 'more than 1000000 MST entries read', seq: 6, did: over.repo },
    ]);
  });
});

describe('the block index under crafted CIDs', () => {
  const colliding = collidingCidsCommit({ blocks: 20_000 });
  const roomy = { ...DEFAULT_COMMIT_BUDGET, maxBlocks: 30_000 };

  it('indexes 20,000 CIDs that differ only in the middle of the digest with a probe or two each', () => {
    const index = new CarIndex(colliding.blocks, roomy);
    const blocks = index.cidStart.length;
    expect(blocks).toBe(20_003); // commit, MST root, record, 20,000 junk blocks
    // Linear probing of a table at most half full: ~1.5 probes per insert with a hash of the
    // whole CID; a hash of a few digest bytes would put all 20,000 in one chain (and fail here).
    expect(index.probes).toBeLessThan(2 * blocks);
    const built = index.probes;
    let foundSelf = 0;
    for (let block = 0; block < blocks; block++) if (index.find(index.car, index.cidStart[block], index.dataStart[block]) === block) foundSelf++;
    expect(foundSelf).toBe(blocks);
    expect(index.probes - built).toBeLessThan(2 * blocks);
  });

  it('still finds the real record among them', () => {
    const drops = createDropRecorder();
    const post = dagCborBlock(postRecord(COLLIDING_CIDS_POST_TEXT));
    expect(extractCommitRecords(colliding, drops, roomy)?.map((record) => hex(record?.bytes))).toEqual([hex(post.bytes)]);
    expect(drops.reports).toEqual([]);
  });

  it(`drops a commit of more than ${MAX_COMMIT_CAR_BLOCKS} blocks (over-budget) with the default budget`, () => {
    const drops = createDropRecorder();
    expect(extractCommitRecords({ ...colliding, seq: 7 }, drops)).toBeUndefined();
    expect(drops.reports).toEqual([
      { stage: 'commit', reason: 'over-budget', detail: `more than ${MAX_COMMIT_CAR_BLOCKS} blocks`, seq: 7, did: colliding.repo },
    ]);
  });

  it('drops a commit whose CAR is larger than the byte budget', () => {
    const drops = createDropRecorder();
    const body = buildCommit({ did: 'did:plc:x', rev: '3l', writes: [createPost('a', 'one')] }).body;
    expect(extractCommitRecords(body, drops, { ...DEFAULT_COMMIT_BUDGET, maxCarBytes: body.blocks.length - 1 })).toBeUndefined();
    expect(reasons(drops.reports)).toEqual(['commit/over-budget']);
    expect(extractCommitRecords(body, drops, { ...DEFAULT_COMMIT_BUDGET, maxCarBytes: body.blocks.length })).toHaveLength(1);
  });

  it('inserts a CID shipped many times once (the first block wins, as a front-to-back scan finds)', () => {
    const built = buildCommit({ did: 'did:plc:x', rev: '3l', writes: [createPost('a', 'one')] });
    const junk = { cid: CID.createV1(0x71, createDigest(0x12, new Uint8Array(32).fill(9))), bytes: Uint8Array.of(1) };
    const copies = Array.from({ length: 5_000 }, (_, i): Block => ({ cid: junk.cid, bytes: Uint8Array.of(i & 0xff) }));
    const index = new CarIndex(encodeCar([built.commit.cid], [built.commit, ...built.mst.nodes.values(), ...copies]));
    expect(index.probes).toBeLessThan(3 * index.cidStart.length);
    const first = index.find(junk.cid.bytes, 0, junk.cid.bytes.length);
    expect(index.car[index.dataStart[first]]).toBe(0);
  });

  it(`drops the commit when CIDs longer than the hash's tables collide anyway (no probe sequence past ${MAX_INDEX_PROBES})`, () => {
    // 128-byte identity-hash CIDs whose two 64-byte halves are equal: each byte pairs with its
    // twin on the same table entry, so every such CID hashes alike.
    const built = buildCommit({ did: 'did:plc:x', rev: '3l', writes: [createPost('a', 'one')] });
    const twins = Array.from({ length: MAX_INDEX_PROBES + 1 }, (_, i): Block => {
      const half = new Uint8Array(64).fill(i);
      half.set([0x01, 0x71, 0x00, 124]); // CIDv1, dag-cbor, identity multihash of 124 bytes
      const cid = new Uint8Array(128);
      cid.set(half);
      cid.set(half, 64);
      return { cid: CID.decode(cid), bytes: Uint8Array.of(0xf6) };
    });
    const drops = createDropRecorder();
    const body = { ...built.body, blocks: encodeCar([built.commit.cid], [built.commit, ...built.mst.nodes.values(), ...twins]) };
    expect(extractCommitRecords(body, drops)).toBeUndefined();
    expect(drops.reports).toEqual([expect.objectContaining({ stage: 'commit', reason: 'over-budget', detail: expect.stringContaining('collide') })]);
  });
});
