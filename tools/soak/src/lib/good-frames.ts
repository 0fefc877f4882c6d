import { buildCommit, commitFrame, identityFrame, syncFrame, type BuiltCommit, type RecordWrite } from '@jetstream-ts/testkit';

const TIME = '2026-07-01T12:00:00.000Z';

/** A relay log and what v1 makes of it: the events each frame gives, by relay seq. */
export interface GoodFrames {
  frames: Uint8Array[];
  /** Events per seq (commits: one per op; identities: one; #sync: none). */
  eventsOfSeq: Map<number, number>;
  /** Sum of `eventsOfSeq`. */
  events: number;
}

/**
 * `count` frames with seq `firstSeq`…, drawn from `seed`: commits of one to four like/post
 * creates (some also deleting an earlier record of the repo), identities and #sync frames,
 * over 50 accounts, the last one an identity. Same seed, same frames.
 *
 * @example
 * const { frames, eventsOfSeq } = goodFrames(1000, 7);
 */
export function goodFrames(count: number, seed: number, firstSeq = 1): GoodFrames {
  let state = seed >>> 0 || 1;
  const next = (below: number) => {
    // xorshift32: a small, seedable generator; the soak needs reproducible, not cryptographic.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % below;
  };
  const repos = new Map<string, BuiltCommit['contents']>();
  const frames: Uint8Array[] = [];
  const eventsOfSeq = new Map<number, number>();
  for (let seq = firstSeq; seq < firstSeq + count; seq++) {
    const did = `did:plc:soak${String(next(50)).padStart(20, '0')}`;
    // The last frame is an identity: `consumer_last_seq` (commits, identities, accounts) then reaches the end.
    const roll = seq === firstSeq + count - 1 ? 0 : next(20);
    if (roll === 0) {
      frames.push(identityFrame({ seq, did, time: TIME, handle: `s${seq}.test` }));
      eventsOfSeq.set(seq, 1);
    } else if (roll === 1) {
      frames.push(syncFrame({ seq, did, blocks: new Uint8Array(), rev: `r${seq}`, time: TIME }));
      eventsOfSeq.set(seq, 0);
    } else {
      const contents = repos.get(did) ?? new Map();
      const writes: RecordWrite[] = Array.from({ length: 1 + next(4) }, (_, op) => {
        const collection = next(3) === 0 ? 'app.bsky.feed.post' : 'app.bsky.feed.like';
        return { action: 'create', collection, rkey: `s${seq}x${op}`, record: { $type: collection, createdAt: TIME, text: `soak ${seq}` } };
      });
      const existing = [...contents.keys()];
      if (existing.length > 0 && next(4) === 0) writes.push({ action: 'delete', path: existing[next(existing.length)]! });
      const commit = buildCommit({ did, rev: `r${String(seq).padStart(10, '0')}`, seq, time: TIME, writes, contents });
      repos.set(did, commit.contents);
      frames.push(commitFrame(commit.body));
      eventsOfSeq.set(seq, writes.length);
    }
  }
  return { frames, eventsOfSeq, events: [...eventsOfSeq.values()].reduce((sum, n) => sum + n, 0) };
}
