import { WebSocket } from 'ws';
import { decodeFrame } from '@jetstream-ts/frames';
import type { FirehoseFrame } from '@jetstream-ts/models';
import { runPdsScript, type ExpectedEvent, type PdsScriptResult } from './pds-script.js';
import { startTestPds, type TestPds } from './start-test-pds.js';

/** The firehose from `cursor=0` until `count` frames arrived or `waitMs` passed. */
function captureFirehose(url: string, count: number, waitMs: number): Promise<FirehoseFrame[]> {
  return new Promise((resolve, reject) => {
    const frames: FirehoseFrame[] = [];
    const socket = new WebSocket(`${url}?cursor=0`);
    const finish = () => {
      clearTimeout(timer);
      socket.terminate();
      resolve(frames);
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('message', (data: Buffer) => {
      frames.push(decodeFrame(new Uint8Array(data)));
      if (frames.length === count) finish();
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** The events a frame stands for, in the expectation's terms (what Jetstream would emit). */
function asExpected(frame: FirehoseFrame): ExpectedEvent[] {
  switch (frame.type) {
    case 'commit':
      return frame.body.ops.map((op) => {
        const [collection, rkey] = op.path.split('/');
        const operation = op.action as 'create' | 'update' | 'delete';
        const commit = op.cid
          ? { operation, collection, rkey, cid: op.cid.toString() }
          : { operation, collection, rkey };
        return { kind: 'commit', did: frame.body.repo, commit };
      });
    case 'identity':
      return [{ kind: 'identity', did: frame.body.did, identity: { handle: frame.body.handle as string } }];
    case 'account': {
      const { active, status } = frame.body;
      return [
        {
          kind: 'account',
          did: frame.body.did,
          account: status === undefined ? { active } : { active, status },
        },
      ];
    }
    default:
      return [];
  }
}

describe('a real PDS on loopback running the default script', () => {
  let pds: TestPds | undefined;
  let result: PdsScriptResult;
  let frames: FirehoseFrame[];

  beforeAll(async () => {
    pds = await startTestPds();
    result = await runPdsScript(pds);
    // Each sign-up also emits a #commit without ops and a #sync.
    const expectedFrames = result.events.length + 2 * Object.keys(result.accounts).length;
    frames = await captureFirehose(pds.subscribeReposUrl, expectedFrames, 15_000);
  }, 90_000);

  afterAll(async () => {
    await pds?.close();
  }, 30_000);

  it('serves subscribeRepos on a loopback URL', () => {
    expect(pds?.subscribeReposUrl).toMatch(
      /^ws:\/\/localhost:\d+\/xrpc\/com\.atproto\.sync\.subscribeRepos$/,
    );
  });

  it('emits identity, account, commit and sync frames, in seq order', () => {
    expect(new Set(frames.map((frame) => frame.type))).toEqual(
      new Set(['identity', 'account', 'commit', 'sync']),
    );
    const seqs = frames.map((frame) => (frame as { body: { seq: number } }).body.seq);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    // A sign-up is identity → account → commit (no ops) → sync.
    expect(frames.slice(0, 4).map((frame) => frame.type)).toEqual(['identity', 'account', 'commit', 'sync']);
  });

  it('emits exactly the events the script says it wrote, in order', () => {
    const seen = frames.flatMap(asExpected);
    const expected = result.events.map((event) => {
      if (event.kind !== 'commit') return event;
      const { record: _record, ...commit } = event.commit;
      return { ...event, commit };
    });
    expect(seen).toEqual(expected);
  });

  it('covers every kind of write the harness promises', () => {
    const commits = result.events.flatMap((event) => (event.kind === 'commit' ? [event.commit] : []));
    expect(new Set(commits.map((commit) => commit.operation))).toEqual(
      new Set(['create', 'update', 'delete']),
    );
    expect(new Set(commits.map((commit) => commit.collection))).toEqual(
      new Set([
        'app.bsky.actor.profile',
        'app.bsky.feed.post',
        'app.bsky.feed.like',
        'app.bsky.feed.repost',
        'app.bsky.graph.follow',
        'app.bsky.graph.block',
        'xyz.statusphere.status',
      ]),
    );
    const withImage = commits.find((commit) =>
      JSON.stringify(commit.record).includes('app.bsky.embed.images'),
    );
    expect(withImage?.record).toMatchObject({
      embed: {
        images: [
          {
            image: {
              $type: 'blob',
              ref: { $link: expect.stringMatching(/^bafkrei/) },
              mimeType: 'image/png',
            },
          },
        ],
      },
    });
    expect(result.accounts['carol'].handle).toBe('carol-renamed.test');
    expect(result.events.at(-1)).toEqual({
      kind: 'account',
      did: result.accounts['bob'].did,
      account: { active: false, status: 'deactivated' },
    });
  });
});
