import { decodeFrame } from '@jetstream-ts/frames';
import type { CommitBody, FirehoseFrame } from '@jetstream-ts/models';
import { blockMatchesCid, readCar, walkMst } from '@jetstream-ts/testkit';
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import { synthesizeFrames } from './synthesize-frames.js';

const FRAME_COUNT = 3000;
const frames = [...synthesizeFrames({ frames: FRAME_COUNT, seed: 'spec', dids: 200 })];
const decoded = frames.map((bytes) => decodeFrame(bytes));
const commits = decoded.flatMap((frame) => (frame.type === 'commit' ? [frame.body] : []));
const ops = commits.flatMap((commit) => commit.ops.map((op) => ({ ...op, commit })));
const collectionOf = (path: string) => path.split('/')[0];

/** The record of a create or update op, decoded from the commit's CAR. */
function recordOf(commit: CommitBody, cid: CID): Record<string, unknown> {
  const block = readCar(commit.blocks).blocks.get(cid.toString());
  if (!block) throw new Error(`record ${cid.toString()} missing from the CAR`);
  return dagCbor.decode(block.bytes);
}
const posts = ops
  .filter((op) => op.action === 'create' && collectionOf(op.path) === 'app.bsky.feed.post')
  .map((op) => recordOf(op.commit, op.cid as CID));

describe('synthesizeFrames', () => {
  it('is deterministic: the same seed gives the same bytes, another seed other bytes', () => {
    const again = [...synthesizeFrames({ frames: 200, seed: 'spec', dids: 200 })];
    expect(again).toEqual(frames.slice(0, 200));
    const other = [...synthesizeFrames({ frames: 200, seed: 'other', dids: 200 })];
    expect(other).not.toEqual(frames.slice(0, 200));
  });

  it('makes only well-formed frames with seqs counting up from firstSeq and a relay clock that never goes back', () => {
    expect(decoded.every((frame) => ['commit', 'identity', 'account'].includes(frame.type))).toBe(true);
    const bodies = decoded.map(
      (frame) => (frame as Extract<FirehoseFrame, { body: { seq: number; time: string } }>).body,
    );
    expect(bodies.map((body) => body.seq)).toEqual(
      Array.from({ length: FRAME_COUNT }, (_, index) => 7_000_000_000 + index),
    );
    const times = bodies.map((body) => Date.parse(body.time));
    expect(bodies[0].time).toMatch(/^2026-07-01T12:00:00\.\d{3}Z$/);
    expect(times.every((time, index) => index === 0 || time >= times[index - 1])).toBe(true);
    // 1500 frames/s on average: 3000 frames span about two seconds.
    expect(times[FRAME_COUNT - 1] - times[0]).toBeGreaterThan(1500);
    expect(times[FRAME_COUNT - 1] - times[0]).toBeLessThan(2500);
  });

  it('follows the real mix of frame types, collections and actions', () => {
    const share = (count: number, total: number) => count / total;
    const byType = (type: string) => decoded.filter((frame) => frame.type === type).length;
    expect(share(byType('commit'), FRAME_COUNT)).toBeGreaterThan(0.97);
    expect(byType('identity')).toBeGreaterThan(5);
    expect(byType('account')).toBeGreaterThan(5);

    const byCollection = (collection: string) =>
      share(ops.filter((op) => collectionOf(op.path) === collection).length, ops.length);
    expect(byCollection('app.bsky.feed.like')).toBeCloseTo(0.69, 1);
    expect(byCollection('app.bsky.feed.post')).toBeGreaterThan(0.08);
    expect(byCollection('app.bsky.feed.post')).toBeLessThan(0.14);
    expect(byCollection('app.bsky.feed.repost')).toBeGreaterThan(0.07);
    expect(byCollection('app.bsky.feed.repost')).toBeLessThan(0.13);
    expect(byCollection('app.bsky.graph.follow')).toBeGreaterThan(0.04);
    expect(byCollection('app.bsky.graph.follow')).toBeLessThan(0.09);
    expect(byCollection('app.bsky.graph.block')).toBeGreaterThan(0);
    expect(ops.some((op) => !collectionOf(op.path).startsWith('app.bsky.'))).toBe(true);

    const byAction = (action: string) => share(ops.filter((op) => op.action === action).length, ops.length);
    expect(byAction('create')).toBeGreaterThan(0.93);
    expect(byAction('delete')).toBeGreaterThan(0.01);
    expect(byAction('delete')).toBeLessThan(0.05);
    expect(byAction('update')).toBeGreaterThan(0.003);
    expect(byAction('update')).toBeLessThan(0.03);
  });

  it('skews activity across accounts: a few busy ones, a long tail', () => {
    const perDid = new Map<string, number>();
    for (const commit of commits) perDid.set(commit.repo, (perDid.get(commit.repo) ?? 0) + 1);
    const counts = [...perDid.values()].sort((a, b) => b - a);
    expect(counts.length).toBeGreaterThan(100);
    expect(counts[0]).toBeGreaterThan(10 * counts[Math.floor(counts.length / 2)]);
  });

  it('ships real commit CARs: commit root, every block hashing to its CID, the whole MST, the new records', () => {
    for (const commit of commits.slice(0, 300)) {
      const car = readCar(commit.blocks);
      expect(car.roots.map(String)).toEqual([commit.commit.toString()]);
      expect([...car.blocks.values()].every(blockMatchesCid)).toBe(true);
      const signed = dagCbor.decode<{ did: string; rev: string; data: CID; version: number }>(
        (car.blocks.get(commit.commit.toString()) as { bytes: Uint8Array }).bytes,
      );
      expect(signed).toMatchObject({ did: commit.repo, rev: commit.rev, version: 3 });
      const tree = new Map(
        [...walkMst(signed.data, (cid) => car.blocks.get(cid.toString())?.bytes)].map(([key, cid]) => [
          key,
          cid.toString(),
        ]),
      );
      for (const op of commit.ops) {
        if (op.action === 'delete') {
          expect(tree.has(op.path)).toBe(false);
          expect(op.prev).toBeInstanceOf(CID);
        } else {
          expect(tree.get(op.path)).toBe(op.cid?.toString());
          expect(car.blocks.has(String(op.cid))).toBe(true);
        }
      }
    }
  });

  it('chains each account’s commits: since is the previous rev, prevData the previous tree, revs increase', () => {
    const last = new Map<string, { rev: string; data: string }>();
    for (const commit of commits) {
      const car = readCar(commit.blocks);
      const data = dagCbor
        .decode<{ data: CID }>((car.blocks.get(commit.commit.toString()) as { bytes: Uint8Array }).bytes)
        .data.toString();
      const previous = last.get(commit.repo);
      if (previous) {
        expect(commit.since).toBe(previous.rev);
        expect(commit.prevData?.toString()).toBe(previous.data);
        expect(commit.rev > previous.rev).toBe(true);
      }
      last.set(commit.repo, { rev: commit.rev, data });
    }
  });

  it('writes posts with langs, facets over the right bytes, replies, image blobs, non-ASCII and <>& text', () => {
    expect(posts.length).toBeGreaterThan(200);
    expect(posts.every((post) => Array.isArray(post['langs']) && typeof post['text'] === 'string')).toBe(
      true,
    );
    const utf8 = new TextEncoder();
    const decoder = new TextDecoder();
    const faceted = posts.filter((post) => Array.isArray(post['facets']));
    expect(faceted.length).toBeGreaterThan(20);
    for (const post of faceted) {
      for (const facet of post['facets'] as {
        index: { byteStart: number; byteEnd: number };
        features: { $type: string }[];
      }[]) {
        const covered = decoder.decode(
          utf8.encode(post['text'] as string).subarray(facet.index.byteStart, facet.index.byteEnd),
        );
        const kind = facet.features[0].$type.split('#')[1];
        if (kind === 'mention') expect(covered).toMatch(/^@/);
        if (kind === 'tag') expect(covered).toMatch(/^#/);
        if (kind === 'link') expect(covered).toMatch(/…$/);
      }
    }
    expect(posts.some((post) => post['reply'] !== undefined)).toBe(true);
    const images = posts.flatMap((post) => {
      const embed = post['embed'] as
        | {
            $type: string;
            images?: { image: { $type: string; ref: unknown; mimeType: string; size: number } }[];
          }
        | undefined;
      return embed?.$type === 'app.bsky.embed.images' ? (embed.images ?? []) : [];
    });
    expect(images.length).toBeGreaterThan(20);
    expect(images[0].image).toEqual({
      $type: 'blob',
      ref: expect.any(CID),
      mimeType: expect.stringMatching(/^image\//),
      size: expect.any(Number),
    });
    const texts = posts.map((post) => post['text'] as string);
    expect(
      texts.some((text) => [...text].some((character) => (character.codePointAt(0) as number) > 0x7f)),
    ).toBe(true);
    expect(texts.some((text) => /[<>&]/.test(text))).toBe(true);
  });

  it('validates its options', () => {
    expect(() => synthesizeFrames({ frames: -1 }).next()).toThrow(RangeError);
    expect(() => synthesizeFrames({ frames: 1, dids: 0 }).next()).toThrow(RangeError);
    expect(() => synthesizeFrames({ frames: 1, startTime: 'yesterday' }).next()).toThrow(RangeError);
  });
});
