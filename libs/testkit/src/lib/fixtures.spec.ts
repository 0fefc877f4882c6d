import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as dagCbor from '@ipld/dag-cbor';
import { decodeFirst } from 'cborg';
import { CID } from 'multiformats/cid';
import { blockMatchesCid } from './blocks.js';
import { readCar } from './car-file.js';
import {
  fixturesDir,
  fromIndigoJson,
  loadCarboxFrame,
  loadIndigoCommitFrame,
  loadIndigoScenario,
  readFixture,
  repoRecords,
} from './fixtures.js';

describe('fixture loaders', () => {
  it('finds the fixtures inside the package, with their README', () => {
    expect(fixturesDir()).toBe(join(import.meta.dirname, '..', '..', 'fixtures'));
    expect(readFileSync(join(fixturesDir(), 'README.md'), 'utf8')).toMatch(/^# Real AT Protocol test data/);
  });

  it('loads the carbox frame: 5,408 bytes, a #commit header first', () => {
    const frame = loadCarboxFrame();
    expect(frame.length).toBe(5408);
    expect(decodeFirst(frame, { tags: [] })[0]).toEqual({ t: '#commit', op: 1 });
  });

  it('turns indigo JSON back into bytes and CIDs, keeping nulls', () => {
    const link = 'bafyreifaecnvroazpkynctc2vivj7wjuqdf3o5y7amckbyhv7v3v7qwxje';
    expect(fromIndigoJson({ a: { $bytes: 'aGk' }, b: { $link: link }, c: null, d: [1, 'x'] })).toEqual({
      a: Uint8Array.from([104, 105]),
      b: CID.parse(link),
      c: null,
      d: [1, 'x'],
    });
  });

  it('frames the indigo scenarios as header + body', () => {
    const posts = loadIndigoScenario('post_lifecycle');
    expect(posts.map((frame) => frame.header.t)).toEqual(Array(6).fill('#commit'));
    const accounts = loadIndigoScenario('account_lifecycle');
    expect(accounts.map((frame) => frame.header.t)).toEqual(['#identity', '#account', '#sync', '#account']);
    const [header, rest] = decodeFirst(posts[0].bytes, { tags: [] });
    expect(header).toEqual({ op: 1, t: '#commit' });
    expect(dagCbor.decode<Record<string, unknown>>(rest)['blobs']).toBeNull();
    expect(loadIndigoCommitFrame('firehose_commit_4621332152').body['ops']).toHaveLength(42);
  });

  it('iterates the records of a repository CAR', () => {
    const records = repoRecords(readFixture('repo-stream/tiny.car'));
    expect(records).toHaveLength(8);
    expect(records.every((record) => record.path === `${record.collection}/${record.rkey}`)).toBe(true);
    expect(repoRecords(readFixture('repo-stream/little.car'))).toHaveLength(278);
  });

  it('holds only blocks that hash to their CID', () => {
    const cars = [
      readFixture('repo-stream/tiny.car'),
      readFixture('skyfall/attie.car'),
      ...loadIndigoScenario('post_lifecycle').map((frame) => frame.body['blocks'] as Uint8Array),
    ];
    for (const car of cars) for (const block of readCar(car).blocks.values()) expect(blockMatchesCid(block)).toBe(true);
  });
});
