import * as dagCbor from '@ipld/dag-cbor';
import type { CID } from 'multiformats/cid';
import { readCar } from './car-file.js';
import { repoRecords, readFixture } from './fixtures.js';
import { buildMst, MstCache, mstLayer, walkMst } from './mst.js';

describe('mstLayer', () => {
  // Layers from the atproto MST test vectors (interop spec "key heights").
  it.each([
    ['', 0],
    ['asdf', 0],
    ['blue', 1],
    ['2653ae71', 0],
    ['88bfafc7', 2],
    ['2a92d355', 4],
    ['884976f5', 6],
    ['app.bsky.feed.post/454397e440ec', 4],
    ['app.bsky.feed.post/9adeb165882c', 8],
  ])('layer of %j is %i', (key, layer) => expect(mstLayer(key)).toBe(layer));
});

describe('buildMst on real repositories', () => {
  it.each(['repo-stream/tiny.car', 'repo-stream/little.car'])('rebuilds the data root of %s', (name) => {
    const car = readFixture(name);
    const { roots, blocks } = readCar(car);
    const commit = dagCbor.decode<{ data: CID }>(blocks.get(roots[0].toString())!.bytes);
    const records = repoRecords(car);
    const mst = buildMst(records.map((record) => [record.path, record.block.cid] as const));
    expect(mst.root.toString()).toBe(commit.data.toString());
    // Every node we built is the real node of that CID.
    for (const [cid, node] of mst.nodes) expect(Buffer.from(node.bytes).equals(Buffer.from(blocks.get(cid)!.bytes))).toBe(true);
  });

  it('gives the same tree through a cache, commit after commit, as built from scratch', () => {
    const records = repoRecords(readFixture('repo-stream/little.car'));
    const cache = new MstCache();
    let contents = new Map<string, CID>();
    // Inserts, then updates and deletes spread over the key space.
    const steps: [string, CID | undefined][] = [
      ...records.map((record): [string, CID | undefined] => [record.path, record.block.cid]),
      ...records.filter((_, i) => i % 7 === 0).map((record, i): [string, CID | undefined] => [record.path, records[i].block.cid]),
      ...records.filter((_, i) => i % 5 === 0).map((record): [string, CID | undefined] => [record.path, undefined]),
    ];
    for (const [path, cid] of steps) {
      if (cid) contents.set(path, cid);
      else contents.delete(path);
      contents = new Map(contents);
      const cached = buildMst(contents, { cache, changedKeys: [path] });
      expect(cached.root.toString()).toBe(buildMst(contents).root.toString());
    }
  });

  it('walks back the entries it was built from, in key order, and finds lookup paths', () => {
    const records = repoRecords(readFixture('repo-stream/little.car'));
    const mst = buildMst(records.map((record) => [record.path, record.block.cid] as const));
    const walked = [...walkMst(mst.root, (cid) => mst.nodes.get(cid.toString())?.bytes)];
    expect(walked.map(([path]) => path)).toEqual(records.map((record) => record.path));
    const target = records[137].path;
    const path = mst.pathTo(target);
    expect(path[0].cid.equals(mst.root)).toBe(true);
    // The last node on the path holds the key.
    const lastNode = path[path.length - 1];
    const onlyLast = [...walkMst(lastNode.cid, (cid) => (cid.equals(lastNode.cid) ? lastNode.bytes : emptyNode))];
    expect(onlyLast.map(([key]) => key)).toContain(target);
  });

  it('represents an empty repository as one node without entries', () => {
    const mst = buildMst([]);
    expect(dagCbor.decode(mst.nodes.get(mst.root.toString())!.bytes)).toEqual({ l: null, e: [] });
  });
});

const emptyNode = dagCbor.encode({ l: null, e: [] });
