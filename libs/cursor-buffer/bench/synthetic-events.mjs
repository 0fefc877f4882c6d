// Synthetic v1 events shaped like real traffic (design.md: likes 69%, posts 11%, reposts 10%,
// follows 6%, blocks, other lexicons, ~1% identity/account, ~3% deletes; ~550 bytes of JSON on
// average). Identifiers (DIDs, TIDs, CIDs) are random, like real hashes, so they compress as
// badly as real ones do. For benchmarks only: the JSON is v1-shaped, not byte-exact v1.

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const SORTABLE = '234567abcdefghijklmnopqrstuvwxyz';
const WORDS = (
  'the a to and of in is it you that for on this was with my just so but be are not have at what ' +
  'like all me your from when out about one people can get do we they if up know really good more ' +
  'time think how new day love want today now see post here bluesky still would make going some ' +
  'great year thread art photo game music news world night first last thanks everyone someone'
).split(' ');

/** A small seeded PRNG (mulberry32) so runs are repeatable. */
export function createRandom(seed = 1) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function createEventGenerator({ seed = 1, didPoolSize = 50_000 } = {}) {
  const random = createRandom(seed);
  const pick = (items) => items[Math.floor(random() * items.length)];
  const chars = (alphabet, n) => {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(random() * alphabet.length)];
    return out;
  };
  const dids = Array.from({ length: didPoolSize }, () => `did:plc:${chars(BASE32, 24)}`);
  const did = () => dids[Math.floor(random() * dids.length)];
  const tid = () => chars(SORTABLE, 13);
  const cid = () => `bafyrei${chars(BASE32, 52)}`;
  const createdAt = () => new Date(Date.UTC(2026, 6, 1) + Math.floor(random() * 86_400_000)).toISOString();
  const strongRef = (collection) => ({ cid: cid(), uri: `at://${did()}/${collection}/${tid()}` });
  // Likes and reposts of a repost name it in `via` (2025 lexicon), as a good share of real ones do.
  const withVia = (record) => (random() < 0.3 ? { ...record, via: strongRef('app.bsky.feed.repost') } : record);
  const text = (maxWords) => Array.from({ length: 1 + Math.floor(random() * maxWords) }, () => pick(WORDS)).join(' ');

  const records = [
    [0.69, 'app.bsky.feed.like', () => withVia({ $type: 'app.bsky.feed.like', createdAt: createdAt(), subject: strongRef('app.bsky.feed.post') })],
    [0.11, 'app.bsky.feed.post', () => {
      const post = { $type: 'app.bsky.feed.post', createdAt: createdAt(), langs: ['en'], text: text(70) };
      if (random() < 0.5) post.reply = { parent: strongRef('app.bsky.feed.post'), root: strongRef('app.bsky.feed.post') };
      if (random() < 0.35) {
        post.embed = { $type: 'app.bsky.embed.images', images: [{ alt: '', aspectRatio: { height: 1080, width: 1920 },
          image: { $type: 'blob', ref: { $link: cid() }, mimeType: 'image/jpeg', size: 100_000 + Math.floor(random() * 800_000) } }] };
      }
      return post;
    }],
    [0.1, 'app.bsky.feed.repost', () => withVia({ $type: 'app.bsky.feed.repost', createdAt: createdAt(), subject: strongRef('app.bsky.feed.post') })],
    [0.06, 'app.bsky.graph.follow', () => ({ $type: 'app.bsky.graph.follow', createdAt: createdAt(), subject: did() })],
    [0.01, 'app.bsky.graph.block', () => ({ $type: 'app.bsky.graph.block', createdAt: createdAt(), subject: did() })],
    [0.02, 'app.bsky.actor.profile', () => ({ $type: 'app.bsky.actor.profile', description: text(30), displayName: text(3) })],
    [0.01, 'fyi.unravel.frontpage.vote', () => ({ $type: 'fyi.unravel.frontpage.vote', createdAt: createdAt(), subject: strongRef('fyi.unravel.frontpage.post') })],
  ];

  let relaySeq = 1_000_000_000;
  /** The next event: `{ did, kind, collection, relaySeq, value }` where value is the v1 object without time_us. */
  return function next(timeUs) {
    relaySeq += 1;
    const author = did();
    const roll = random();
    if (roll < 0.007) {
      return { did: author, kind: 'identity', collection: '', relaySeq,
        value: { did: author, time_us: timeUs, kind: 'identity', identity: { did: author, handle: `${text(1)}.bsky.social`, seq: relaySeq, time: createdAt() } } };
    }
    if (roll < 0.013) {
      return { did: author, kind: 'account', collection: '', relaySeq,
        value: { did: author, time_us: timeUs, kind: 'account', account: { active: true, did: author, seq: relaySeq, time: createdAt() } } };
    }
    let r = random();
    let [, collection, makeRecord] = records[records.length - 1];
    for (const [share, name, make] of records) {
      if ((r -= share) < 0) { collection = name; makeRecord = make; break; }
    }
    const rev = tid();
    const commit = random() < 0.03
      ? { rev, operation: 'delete', collection, rkey: tid() }
      : { rev, operation: 'create', collection, rkey: tid(), record: makeRecord(), cid: cid() };
    return { did: author, kind: 'commit', collection, relaySeq, value: { did: author, time_us: timeUs, kind: 'commit', commit } };
  };
}

/**
 * `total` events one microsecond apart from `firstTimeUs`, encoded as the store and the NATS
 * stream keep them: their fields, the JSON bytes and `compress(json)` (the v1 zstd frame).
 */
export function encodedSyntheticEvents(total, firstTimeUs, compress) {
  const next = createEventGenerator();
  const utf8 = new TextEncoder();
  return Array.from({ length: total }, (_, index) => {
    const { value, ...fields } = next(firstTimeUs + index);
    const json = utf8.encode(JSON.stringify(value));
    return { time_us: firstTimeUs + index, ...fields, json, zstd: compress(json) };
  });
}
