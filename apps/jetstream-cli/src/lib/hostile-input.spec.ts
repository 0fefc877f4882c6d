/**
 * Issue 11: a log with hostile commits between good frames. `convert` and `inspect` go through
 * the server's libs, so they must finish (these commits hung them, or took seconds) and keep
 * every good frame's event, in order; each hostile commit is dropped and counted with its reason.
 */
import {
  buildCommit,
  collidingCidsCommit,
  commitFrame,
  dagCborBlock,
  deepMstCommit,
  identityFrame,
  mstSelfCycleCommit,
  mstTwoNodeCycleCommit,
  postRecord,
} from '@jetstream-ts/testkit';
import { runCli, scratchDir } from './run-cli.test-util.js';

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const REV = '3l3qo2vutsw2b';
const HOSTILE_DID = 'did:plc:hostilehostilehostile00';

function goodPost(seq: number, rkey: string, text: string): Uint8Array {
  const writes = [{ action: 'create', collection: 'app.bsky.feed.post', rkey, record: postRecord(text) }];
  return commitFrame(buildCommit({ did: DID, rev: REV, seq, writes }).body);
}

const log = [
  goodPost(1, '3kaaaaaaaaab2', 'before'),
  commitFrame(mstSelfCycleCommit({ seq: 2 })),
  identityFrame({ seq: 3, did: DID, time: '2024-01-01T00:00:00Z', handle: 'alice.test' }),
  commitFrame(collidingCidsCommit({ seq: 4, blocks: 20_000 })),
  commitFrame(mstTwoNodeCycleCommit({ seq: 5 })),
  commitFrame(deepMstCommit({ seq: 6, depth: 1_000 })),
  goodPost(7, '3kaaaaaaaaab3', 'after'),
];

// Written by hand (reference §2.4-2.6): one event per good frame, time_us from 1000.
const postLine = (timeUs: number, rkey: string, text: string) =>
  `{"did":"${DID}","time_us":${timeUs},"kind":"commit","commit":{"rev":"${REV}","operation":"create","collection":"app.bsky.feed.post","rkey":"${rkey}","record":{"$type":"app.bsky.feed.post","createdAt":"2024-09-25T00:00:00.000Z","text":"${text}"},"cid":"${dagCborBlock(postRecord(text)).cid}"}}`;
const expectedLines = [
  postLine(1000, '3kaaaaaaaaab2', 'before'),
  `{"did":"${DID}","time_us":1001,"kind":"identity","identity":{"did":"${DID}","handle":"alice.test","seq":3,"time":"2024-01-01T00:00:00Z"}}`,
  postLine(1002, '3kaaaaaaaaab3', 'after'),
];

describe('jetstream convert and inspect on hostile commits', () => {
  const scratch = scratchDir();
  const path = scratch.writeLog('hostile.log', log);
  afterAll(() => scratch.remove());

  it('convert finishes with every good event, in order, and counts each hostile commit as dropped', async () => {
    const result = await runCli(['convert', path, '--start-time-us', '1000']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(expectedLines.map((line) => `${line}\n`).join(''));
    expect(result.stderr).toContain('jetstream: converted 7 frames into 3 events, dropped 4\n');
    expect(result.stderr).toContain(
      `2  op/mst-node-hash-mismatch  (first: seq 2, ${HOSTILE_DID}, app.bsky.feed.post/3kaaaaaaaaaa2, an MST node on the path does not hash (sha-256) to its CID)`,
    );
    expect(result.stderr).toContain(`1  commit/over-budget  (first: seq 4, ${HOSTILE_DID}, more than 10000 blocks)`);
    expect(result.stderr).toContain('1  op/mst-too-deep  (first: seq 6');
  });

  it('inspect finishes and attributes each failure to its frame', async () => {
    const result = await runCli(['inspect', path, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ frames: 7, events: 3, decodeFailures: 4 });
    expect(report.decodeFailureList.map(({ frameIndex, stage, reason }: { frameIndex: number; stage: string; reason: string }) => [frameIndex, `${stage}/${reason}`])).toEqual([
      [1, 'op/mst-node-hash-mismatch'],
      [3, 'commit/over-budget'],
      [4, 'op/mst-node-hash-mismatch'],
      [5, 'op/mst-too-deep'],
    ]);
  });
});
