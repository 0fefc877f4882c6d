import type { AccountBody, IdentityBody } from '@jetstream-ts/models';
import { buildCommit, buildFrame, cidOf, MstCache, tid, writePath, type RecordWrite } from '@jetstream-ts/testkit';
import type { CID } from 'multiformats/cid';
import { SeededRandom, ZipfSampler } from './seeded-random.js';
import {
  blockRecord,
  followRecord,
  likeRecord,
  OTHER_LEXICON_RECORDS,
  postRecord,
  profileRecord,
  repostRecord,
  type RecordContext,
  type RecordValue,
  type StrongRef,
} from './synthetic-records.js';
import type { Mentionable } from './synthetic-text.js';

export interface SyntheticFirehoseOptions {
  /** How many frames to make. */
  frames: number;
  /** Same seed, same bytes. Default `jetstream`. */
  seed?: string | number;
  /** Number of accounts, active with a Zipf-like skew (a few busy ones, a long tail). Default 1000. */
  dids?: number;
  /** The first frame's seq; each frame adds one. Default 7,000,000,000 (beyond 32 bits, as on the network). */
  firstSeq?: number;
  /** The relay `time` of the first frame. Default `2026-07-01T12:00:00.000Z`. */
  startTime?: string;
  /** Average frames per second, which spaces the `time` fields. Default 1500. */
  eventsPerSecond?: number;
}

/**
 * What each frame is, weighted after a real relay capture (July 2026: likes 69 %, posts 11 %,
 * reposts 10 %, follows 6 %, a block, other lexicons, 1 % identity and account frames, 3 %
 * deletes and 1 % updates among the ops). A delete removes a recent like, repost, follow,
 * block or post of the same account.
 */
const FRAME_MIX = [
  ['like', 67.5],
  ['post', 11],
  ['repost', 9.7],
  ['follow', 5.5],
  ['follow-many', 0.2],
  ['block', 0.7],
  ['other', 1.3],
  ['profile-update', 1.3],
  ['delete', 2.7],
  ['identity', 0.67],
  ['account', 0.67],
] as const;

type FrameKind = (typeof FRAME_MIX)[number][0];

const RECORD_BUILDERS: Record<
  'like' | 'post' | 'repost' | 'follow' | 'block',
  readonly [string, (context: RecordContext) => RecordValue]
> = {
  like: ['app.bsky.feed.like', likeRecord],
  post: ['app.bsky.feed.post', postRecord],
  repost: ['app.bsky.feed.repost', repostRecord],
  follow: ['app.bsky.graph.follow', followRecord],
  block: ['app.bsky.graph.block', blockRecord],
};

/**
 * How many records a synthetic repository's tree holds: between these two (a recent window).
 * A real repository holds thousands and a relay ships the MST nodes on the written key's path;
 * the test kit's commit builder costs about 14 µs per record when it builds a tree afresh, so a
 * synthetic repository keeps a window and ships every node of it, which gives frames of the real
 * average size (5.4 KB) at a fraction of the cost. When the window is full, the oldest records
 * leave the tree (not deleted: they stop being part of it) and the next commit builds it afresh.
 */
const WINDOW = [30, 60] as const;
const PROFILE_PATH = 'app.bsky.actor.profile/self';
const RECENT_POSTS = 2000;
const DID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

interface SyntheticRepo {
  did: string;
  rank: number;
  handle: string;
  /** How many times the handle changed. */
  handleChanges: number;
  /** The records in the tree (path → CID): the profile and the window. */
  contents: Map<string, CID>;
  /** Paths of the window that may be deleted or evicted, oldest first. */
  recent: string[];
  cache: MstCache;
  /** Root of the tree after the last commit (the next commit's `prevData`). */
  data: CID;
  rev: string;
  revUs: number;
  clockId: number;
}

/**
 * Makes a realistic, deterministic `subscribeRepos` frame sequence: `#commit` frames with real
 * CARs (signed-commit block, MST nodes, records) in the network's record mix, and `#identity`
 * and `#account` frames. Seqs increase by one; `time` advances like a relay's clock at the
 * requested rate; record keys and revs are TIDs from the record and commit times.
 *
 * @example
 * import { writeFileSync } from 'node:fs';
 * import { encodeFrameLog } from '@jetstream-ts/frames';
 * import { synthesizeFrames } from '@jetstream-ts/synthetic-firehose';
 *
 * const frames = [...synthesizeFrames({ frames: 1000, seed: 42 })];
 * writeFileSync('synthetic.log', encodeFrameLog(frames));
 *
 * @param options Frame count, seed, number of accounts, first seq, start time, rate.
 * @return A generator of frame bytes (lazy: frames are made as they are read).
 */
export function* synthesizeFrames(options: SyntheticFirehoseOptions): Generator<Uint8Array> {
  const {
    frames,
    seed = 'jetstream',
    dids = 1000,
    firstSeq = 7_000_000_000,
    eventsPerSecond = 1500,
  } = options;
  if (!Number.isInteger(frames) || frames < 0)
    throw new RangeError(`frames must be a non-negative integer, got ${frames}`);
  if (!Number.isInteger(dids) || dids < 1)
    throw new RangeError(`dids must be a positive integer, got ${dids}`);
  if (!(eventsPerSecond > 0))
    throw new RangeError(`eventsPerSecond must be positive, got ${eventsPerSecond}`);
  const startMs = Date.parse(options.startTime ?? '2026-07-01T12:00:00.000Z');
  if (Number.isNaN(startMs)) throw new RangeError(`startTime is not a date: ${options.startTime}`);

  const random = new SeededRandom(seed);
  const activity = new ZipfSampler(dids);
  const didList = Array.from({ length: dids }, () => `did:plc:${random.string(DID_ALPHABET, 24)}`);
  const repos = new Map<number, SyntheticRepo>();
  const recentPosts: StrongRef[] = [];
  let timeUs = startMs * 1000;

  const account = (rank: number): Mentionable => ({ did: didList[rank], handle: handleOf(rank, 0) });
  const anyAccount = (): Mentionable => {
    if (random.chance(0.3)) {
      return {
        did: `did:plc:${random.string(DID_ALPHABET, 24)}`,
        handle: `${random.string(DID_ALPHABET, 8)}.bsky.social`,
      };
    }
    return account(activity.sample(random));
  };
  const anyPost = (): StrongRef => {
    if (recentPosts.length > 0 && random.chance(0.85)) return random.pick(recentPosts);
    return {
      uri: `at://did:plc:${random.string(DID_ALPHABET, 24)}/app.bsky.feed.post/${tid(timeUs - random.below(86_400_000_000))}`,
      cid: cidOf(random.bytes(16)).toString(),
    };
  };
  const contextAt = (createdAtUs: number): RecordContext => ({
    random,
    createdAt: new Date(createdAtUs / 1000).toISOString(),
    anyPost,
    anyAccount,
  });

  const repoOf = (rank: number): SyntheticRepo => {
    const existing = repos.get(rank);
    if (existing) return existing;
    const repo = openRepo(rank);
    repos.set(rank, repo);
    return repo;
  };

  /** An account that existed before the capture: a profile and older records (not shipped). */
  const openRepo = (rank: number): SyntheticRepo => {
    const clockId = random.below(1024);
    const prior = new Map<string, CID>([[PROFILE_PATH, cidOf(random.bytes(16))]]);
    const recent: string[] = [];
    const records = random.between(...WINDOW);
    let olderUs = timeUs - records * 3_600_000_000;
    for (let i = 0; i < records; i++) {
      olderUs += random.between(1, 3_600) * 1_000_000;
      const collection = random.weighted([
        ['app.bsky.feed.like', 70],
        ['app.bsky.feed.post', 15],
        ['app.bsky.graph.follow', 15],
      ] as const);
      const path = `${collection}/${tid(olderUs, clockId)}`;
      prior.set(path, cidOf(random.bytes(16)));
      recent.push(path);
    }
    const did = didList[rank];
    const rev = tid(olderUs, clockId);
    // A commit with no writes builds the tree once; later commits update it incrementally.
    const cache = new MstCache();
    const { contents, mst } = buildCommit({ did, rev, writes: [], contents: prior, mstCache: cache });
    return {
      did,
      rank,
      handle: handleOf(rank, 0),
      handleChanges: 0,
      contents,
      recent,
      cache,
      data: mst.root,
      rev,
      revUs: olderUs,
      clockId,
    };
  };

  /** A create with a TID record key from `createdAtUs`, unused in the repo and in `taken`. */
  const createWrite = (
    repo: SyntheticRepo,
    collection: string,
    record: RecordValue,
    createdAtUs: number,
    taken: ReadonlySet<string> = new Set(),
  ): RecordWrite & { rkey: string } => {
    let rkeyUs = createdAtUs;
    const pathAt = (us: number) => `${collection}/${tid(us, repo.clockId)}`;
    while (repo.contents.has(pathAt(rkeyUs)) || taken.has(pathAt(rkeyUs))) rkeyUs++;
    return { action: 'create', collection, rkey: tid(rkeyUs, repo.clockId), record };
  };

  const commitFrame = (repo: SyntheticRepo, seq: number, time: string, writes: RecordWrite[]): Uint8Array => {
    repo.revUs = Math.max(timeUs, repo.revUs + 1);
    const rev = tid(repo.revUs, repo.clockId);
    const built = buildCommit({
      did: repo.did,
      rev,
      writes,
      contents: repo.contents,
      seq,
      time,
      since: repo.rev,
      prevData: repo.data,
      mstCache: repo.cache,
      mstNodes: 'all',
    });
    for (const write of writes) {
      const path = writePath(write);
      if (write.action === 'create' && path !== PROFILE_PATH) repo.recent.push(path);
      if ('collection' in write && write.collection === 'app.bsky.feed.post' && write.action === 'create') {
        recentPosts.push({
          uri: `at://${repo.did}/${path}`,
          cid: (built.records.get(path)?.cid as CID).toString(),
        });
        if (recentPosts.length > RECENT_POSTS) recentPosts.shift();
      }
    }
    repo.contents = built.contents;
    if (repo.recent.length > WINDOW[1]) {
      // A new map: the builder then knows its cached tree no longer matches and starts afresh.
      repo.contents = new Map(built.contents);
      for (const path of repo.recent.splice(0, repo.recent.length - WINDOW[0])) repo.contents.delete(path);
    }
    repo.data = built.mst.root;
    repo.rev = rev;
    return buildFrame({ op: 1, t: '#commit' }, built.body);
  };

  const makeFrame = (kind: FrameKind, repo: SyntheticRepo, seq: number, time: string): Uint8Array => {
    // The author's clock: a little before the relay saw the commit.
    const createdAtUs = timeUs - Math.round(random.exponential(800_000));
    const context = contextAt(createdAtUs);
    switch (kind) {
      case 'identity': {
        repo.handleChanges++;
        repo.handle = handleOf(repo.rank, repo.handleChanges);
        const body: IdentityBody = { seq, did: repo.did, time, handle: repo.handle };
        return buildFrame({ op: 1, t: '#identity' }, body);
      }
      case 'account': {
        const status = random.weighted([
          ['active', 60],
          ['deactivated', 25],
          ['takendown', 10],
          ['deleted', 5],
        ] as const);
        const body: AccountBody =
          status === 'active'
            ? { seq, did: repo.did, time, active: true }
            : { seq, did: repo.did, time, active: false, status };
        return buildFrame({ op: 1, t: '#account' }, body);
      }
      case 'profile-update':
        return commitFrame(repo, seq, time, [
          {
            action: 'update',
            collection: 'app.bsky.actor.profile',
            rkey: 'self',
            record: profileRecord(context, repo.handle.split('.')[0]),
          },
        ]);
      case 'delete': {
        if (repo.recent.length === 0) return makeFrame('like', repo, seq, time);
        const [path] = repo.recent.splice(random.below(repo.recent.length), 1);
        return commitFrame(repo, seq, time, [{ action: 'delete', path }]);
      }
      case 'other': {
        const [collection, build] = random.pick(OTHER_LEXICON_RECORDS);
        return commitFrame(repo, seq, time, [createWrite(repo, collection, build(context), createdAtUs)]);
      }
      case 'follow-many': {
        // A starter pack: several follows in one commit, one op each.
        const writes: RecordWrite[] = [];
        const taken = new Set<string>();
        for (let i = random.between(2, 6); i > 0; i--) {
          const write = createWrite(repo, 'app.bsky.graph.follow', followRecord(context), createdAtUs, taken);
          taken.add(`app.bsky.graph.follow/${write.rkey}`);
          writes.push(write);
        }
        return commitFrame(repo, seq, time, writes);
      }
      default: {
        const [collection, build] = RECORD_BUILDERS[kind];
        return commitFrame(repo, seq, time, [createWrite(repo, collection, build(context), createdAtUs)]);
      }
    }
  };

  for (let index = 0; index < frames; index++) {
    timeUs += Math.max(1, Math.round(random.exponential(1_000_000 / eventsPerSecond)));
    const time = new Date(Math.floor(timeUs / 1000)).toISOString();
    const kind = random.weighted(FRAME_MIX);
    yield makeFrame(kind, repoOf(activity.sample(random)), firstSeq + index, time);
  }
}

function handleOf(rank: number, generation: number): string {
  return generation === 0 ? `user${rank}.bsky.social` : `user${rank}-${generation}.bsky.social`;
}
