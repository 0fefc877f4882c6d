import {
  COLLECTION_FILTERS,
  subscribeQuery,
  subscriberMix,
  eventFilter,
  wantsEvent,
  type SubscriberSpec,
} from './subscriber-mix.js';

const dids = Array.from({ length: 25 }, (_, index) => `did:plc:${String(index).padStart(24, 'a')}`);

describe('subscriberMix', () => {
  it('makes 60 % compressed firehose subscribers, 30 % collection filters, 10 % DID filters', () => {
    const specs = subscriberMix(1000, dids);
    expect(specs).toHaveLength(1000);
    const compressed = specs.filter((spec) => spec.compress);
    expect(compressed).toHaveLength(600);
    expect(
      compressed.every((spec) => spec.wantedCollections.length === 0 && spec.wantedDids.length === 0),
    ).toBe(true);
    expect(specs.filter((spec) => spec.wantedCollections.length > 0)).toHaveLength(300);
    expect(specs.filter((spec) => spec.wantedDids.length > 0)).toHaveLength(100);
  });

  it('hands out the collection filters in turn and DIDs in slices of 10', () => {
    const specs = subscriberMix(20, dids);
    expect(specs.slice(6, 9).map((spec) => spec.wantedCollections)).toEqual(COLLECTION_FILTERS);
    expect(specs[9].wantedDids).toEqual(dids.slice(0, 10));
    expect(specs[19].wantedDids).toEqual(dids.slice(10, 20));
  });
});

describe('subscribeQuery', () => {
  it('writes v1 query parameters, repeated for lists', () => {
    expect(subscribeQuery({ compress: true, wantedCollections: [], wantedDids: [] })).toBe('?compress=true');
    expect(
      subscribeQuery({ compress: false, wantedCollections: ['a.b.c', 'd.e.f'], wantedDids: ['did:plc:x'] }),
    ).toBe('?wantedCollections=a.b.c&wantedCollections=d.e.f&wantedDids=did%3Aplc%3Ax');
    expect(subscribeQuery({ compress: false, wantedCollections: [], wantedDids: [] })).toBe('');
  });
});

describe('wantsEvent', () => {
  const posts: SubscriberSpec = {
    compress: false,
    wantedCollections: ['app.bsky.feed.post'],
    wantedDids: [],
  };
  const alice: SubscriberSpec = { compress: false, wantedCollections: [], wantedDids: ['did:plc:alice'] };

  it('applies a collection filter to commits only', () => {
    expect(wantsEvent(posts, { did: 'did:plc:bob', kind: 'commit', collection: 'app.bsky.feed.post' })).toBe(
      true,
    );
    expect(wantsEvent(posts, { did: 'did:plc:bob', kind: 'commit', collection: 'app.bsky.feed.like' })).toBe(
      false,
    );
    expect(wantsEvent(posts, { did: 'did:plc:bob', kind: 'identity', collection: '' })).toBe(true);
    expect(wantsEvent(posts, { did: 'did:plc:bob', kind: 'account', collection: '' })).toBe(true);
  });

  it('applies a DID filter to every kind', () => {
    expect(
      wantsEvent(alice, { did: 'did:plc:alice', kind: 'commit', collection: 'app.bsky.feed.like' }),
    ).toBe(true);
    expect(wantsEvent(alice, { did: 'did:plc:bob', kind: 'identity', collection: '' })).toBe(false);
    expect(wantsEvent(alice, { did: 'did:plc:bob', kind: 'commit', collection: 'app.bsky.feed.like' })).toBe(
      false,
    );
  });
});

describe('eventFilter', () => {
  it('combines a DID and a collection filter as wantsEvent does, for every event it is given', () => {
    const wants = eventFilter({
      compress: false,
      wantedCollections: ['app.bsky.feed.post', 'app.bsky.graph.follow'],
      wantedDids: ['did:plc:alice', 'did:plc:carol'],
    });
    expect(wants({ did: 'did:plc:carol', kind: 'commit', collection: 'app.bsky.graph.follow' })).toBe(true);
    expect(wants({ did: 'did:plc:alice', kind: 'commit', collection: 'app.bsky.feed.like' })).toBe(false);
    expect(wants({ did: 'did:plc:alice', kind: 'account', collection: '' })).toBe(true);
    expect(wants({ did: 'did:plc:bob', kind: 'commit', collection: 'app.bsky.feed.post' })).toBe(false);
    expect(
      eventFilter({ compress: true, wantedCollections: [], wantedDids: [] })({
        did: 'x',
        kind: 'identity',
        collection: '',
      }),
    ).toBe(true);
  });
});
