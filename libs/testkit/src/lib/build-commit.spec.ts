import * as dagCbor from '@ipld/dag-cbor';
import { decodeFirst } from 'cborg';
import { blockMatchesCid, dagCborBlock } from './blocks.js';
import { buildCommit } from './build-commit.js';
import { commitFrame, errorFrame } from './build-frame.js';
import { readCar } from './car-file.js';
import { walkMst } from './mst.js';
import { tid } from './tid.js';

const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const post = (text: string) => ({ $type: 'app.bsky.feed.post', text, createdAt: '2024-09-25T00:00:00.000Z' });

describe('buildCommit', () => {
  const first = buildCommit({
    did,
    rev: '3l3qo2vutsw2b',
    seq: 7,
    writes: [
      { action: 'create', collection: 'app.bsky.feed.post', rkey: '3l3qo2vuowo2b', record: post('one') },
      { action: 'create', collection: 'app.bsky.feed.post', rkey: '3l3qo2vuowo2c', record: post('two') },
    ],
  });

  it('ships a CAR rooted at a v3 signed commit whose data is the MST root, with valid blocks', () => {
    const { roots, blocks } = readCar(first.body.blocks);
    expect(roots.map(String)).toEqual([first.commit.cid.toString()]);
    for (const block of blocks.values()) expect(blockMatchesCid(block)).toBe(true);
    const commit = dagCbor.decode<Record<string, unknown>>(blocks.get(roots[0].toString())!.bytes);
    expect(commit).toEqual({ did, version: 3, data: first.mst.root, rev: '3l3qo2vutsw2b', prev: null, sig: expect.any(Uint8Array) });
    const walked = [...walkMst(first.mst.root, (cid) => blocks.get(cid.toString())?.bytes)];
    expect(walked.map(([path]) => path)).toEqual(['app.bsky.feed.post/3l3qo2vuowo2b', 'app.bsky.feed.post/3l3qo2vuowo2c']);
    expect(dagCbor.decode(blocks.get(walked[1][1].toString())!.bytes)).toEqual(post('two'));
  });

  it('writes ops with action, path and cid, and a frame that decodes back', () => {
    const frame = commitFrame(first.body);
    const [header, rest] = decodeFirst(frame, {});
    expect(header).toEqual({ op: 1, t: '#commit' });
    const body = dagCbor.decode<Record<string, unknown>>(rest);
    expect(body).toMatchObject({ seq: 7, repo: did, rev: '3l3qo2vutsw2b', tooBig: false, rebase: false, since: null, blobs: [] });
    expect(body['ops']).toEqual([
      { action: 'create', path: 'app.bsky.feed.post/3l3qo2vuowo2b', cid: first.records.get('app.bsky.feed.post/3l3qo2vuowo2b')!.cid },
      { action: 'create', path: 'app.bsky.feed.post/3l3qo2vuowo2c', cid: first.records.get('app.bsky.feed.post/3l3qo2vuowo2c')!.cid },
    ]);
  });

  it('builds on existing contents: update and delete carry prev, delete has no cid', () => {
    const second = buildCommit({
      did,
      rev: '3l3qo2vutsw2c',
      contents: first.contents,
      writes: [
        { action: 'update', collection: 'app.bsky.feed.post', rkey: '3l3qo2vuowo2b', record: post('one, edited') },
        { action: 'delete', collection: 'app.bsky.feed.post', rkey: '3l3qo2vuowo2c' },
      ],
    });
    expect(second.body.ops).toEqual([
      {
        action: 'update',
        path: 'app.bsky.feed.post/3l3qo2vuowo2b',
        cid: dagCborBlock(post('one, edited')).cid,
        prev: first.contents.get('app.bsky.feed.post/3l3qo2vuowo2b'),
      },
      { action: 'delete', path: 'app.bsky.feed.post/3l3qo2vuowo2c', cid: null, prev: first.contents.get('app.bsky.feed.post/3l3qo2vuowo2c') },
    ]);
    expect([...second.contents.keys()]).toEqual(['app.bsky.feed.post/3l3qo2vuowo2b']);
  });

  it('injects faults: corrupt and omitted blocks, absent op cid', () => {
    const faulty = buildCommit({
      did,
      rev: '3l3qo2vutsw2b',
      writes: [
        { action: 'create', collection: 'a.b.c', rkey: 'one', record: post('x'), corruptBlock: true },
        { action: 'create', collection: 'a.b.c', rkey: 'two', record: post('y'), omitBlock: true, cid: 'absent' },
      ],
      omitBlocks: ['mst'],
    });
    const { blocks } = readCar(faulty.body.blocks);
    const one = faulty.records.get('a.b.c/one')!;
    expect(blockMatchesCid(blocks.get(one.cid.toString())!)).toBe(false);
    expect(blocks.has(faulty.records.get('a.b.c/two')!.cid.toString())).toBe(false);
    expect(blocks.has(faulty.mst.root.toString())).toBe(false);
    expect('cid' in faulty.body.ops[1]).toBe(false);
  });
});

describe('frame helpers and tid', () => {
  it('writes an error frame as op -1 with error and message', () => {
    const [header, rest] = decodeFirst(errorFrame('FutureCursor', 'Cursor in the future.'), {});
    expect(header).toEqual({ op: -1 });
    expect(dagCbor.decode(rest)).toEqual({ error: 'FutureCursor', message: 'Cursor in the future.' });
  });

  it('makes 13-character TIDs that sort like their times', () => {
    expect(tid(0)).toBe('2222222222222');
    expect(tid(1_700_000_000_000_000)).toMatch(/^[234567abcdefghij][234567a-z]{12}$/);
    expect(tid(1_700_000_000_000_001) > tid(1_700_000_000_000_000)).toBe(true);
  });
});
