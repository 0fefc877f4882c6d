import { DeliveryLedger, eventKey, type LedgerEvent } from './delivery-ledger.js';
import type { SubscriberSpec } from './subscriber-mix.js';

const like = (did: string, rkey: string, frame: number): LedgerEvent => ({
  key: `${did} rev ${'app.bsky.feed.like'}/${rkey}`,
  did,
  kind: 'commit',
  collection: 'app.bsky.feed.like',
  frame,
});
const post = (did: string, rkey: string, frame: number): LedgerEvent => ({
  key: `${did} rev app.bsky.feed.post/${rkey}`,
  did,
  kind: 'commit',
  collection: 'app.bsky.feed.post',
  frame,
});
const identity = (did: string, frame: number): LedgerEvent => ({
  key: `${did} identity t${frame}`,
  did,
  kind: 'identity',
  collection: '',
  frame,
});

// Six events in server order: like, post, identity, like, post, like.
const events: LedgerEvent[] = [
  like('did:plc:a', '1', 0),
  post('did:plc:b', '2', 1),
  identity('did:plc:a', 2),
  like('did:plc:b', '3', 3),
  post('did:plc:a', '4', 4),
  like('did:plc:a', '5', 5),
];
const everything: SubscriberSpec = { compress: true, wantedCollections: [], wantedDids: [] };
const posts: SubscriberSpec = { compress: false, wantedCollections: ['app.bsky.feed.post'], wantedDids: [] };
const didB: SubscriberSpec = { compress: false, wantedCollections: [], wantedDids: ['did:plc:b'] };

describe('DeliveryLedger', () => {
  it('owes each subscriber the events its filter matches (identity passes a collection filter)', () => {
    const ledger = new DeliveryLedger(events, [everything, posts, didB]);
    // 6 + (2 posts + 1 identity) + 2 events of did:plc:b
    // Nothing received yet: everything is late, nothing lost.
    expect(ledger.summary()).toEqual({
      expected: 11,
      delivered: 0,
      lost: 0,
      subscribersWithLoss: 0,
      late: 11,
      subscribersBehind: 3,
      duplicates: 0,
      unexpected: 0,
    });
    expect(ledger.outstanding).toBe(11);
  });

  it("owes a DID filter only its DIDs' events, combined with a collection filter, a repeated DID counted once", () => {
    const postsOfA: SubscriberSpec = {
      compress: false,
      wantedCollections: ['app.bsky.feed.post'],
      wantedDids: ['did:plc:a', 'did:plc:a', 'did:plc:z'],
    };
    // did:plc:a's identity (index 2) and post (index 4); its likes are kept out.
    const ledger = new DeliveryLedger(events, [postsOfA]);
    expect(ledger.outstanding).toBe(2);
    ledger.receive(0, 0);
    ledger.receive(0, 2);
    ledger.receive(0, 4);
    expect(ledger.summary()).toMatchObject({ expected: 2, delivered: 2, lost: 0, late: 0, unexpected: 1 });
  });

  it('counts nothing lost when everyone got what it was owed', () => {
    const ledger = new DeliveryLedger(events, [everything, posts, didB]);
    for (let index = 0; index < 6; index++) ledger.receive(0, index);
    for (const index of [1, 2, 4]) ledger.receive(1, index);
    for (const index of [1, 3]) ledger.receive(2, index);
    expect(ledger.outstanding).toBe(0);
    expect(ledger.summary()).toEqual({
      expected: 11,
      delivered: 11,
      lost: 0,
      subscribersWithLoss: 0,
      late: 0,
      subscribersBehind: 0,
      duplicates: 0,
      unexpected: 0,
    });
  });

  it('counts skipped events as lost, the ones after the last received as late, duplicates, and events a filter should have kept out', () => {
    const ledger = new DeliveryLedger(events, [everything, posts, didB]);
    for (const index of [0, 1, 1, 3, 4, 5]) ledger.receive(0, index); // the identity skipped, a post twice
    for (const index of [0, 1, 4]) ledger.receive(1, index); // a like it did not ask for; the identity skipped
    ledger.receive(1, -1); // matched no event at all
    ledger.receive(2, 1); // its second event (index 3) not here yet
    expect(ledger.summary()).toEqual({
      expected: 11,
      delivered: 8,
      lost: 2,
      subscribersWithLoss: 2,
      late: 1,
      subscribersBehind: 1,
      duplicates: 1,
      unexpected: 2,
    });
    expect(ledger.outstanding).toBe(3);
  });

  it('locates a repeated key from where the subscriber last was', () => {
    // A looped pool: the same like again three events later.
    const looped = [
      like('did:plc:a', '1', 0),
      post('did:plc:b', '2', 1),
      like('did:plc:b', '3', 2),
      like('did:plc:a', '1', 3),
    ];
    const ledger = new DeliveryLedger(looped, [everything]);
    expect(ledger.locate(0, looped[0].key)).toBe(0);
    expect(ledger.nextIndex(0)).toBe(0);
    ledger.receive(0, 0);
    ledger.receive(0, 1);
    expect(ledger.nextIndex(0)).toBe(2);
    expect(ledger.locate(0, looped[0].key)).toBe(3);
    expect(ledger.locate(0, looped[1].key)).toBe(1); // behind the position: found from the start
    expect(ledger.locate(0, 'did:plc:z rev x/y')).toBe(-1);
  });
});

describe('eventKey', () => {
  it('keys a commit op by DID, rev, collection and rkey', () => {
    expect(
      eventKey({
        did: 'did:plc:a',
        kind: 'commit',
        commit: { rev: '3l', collection: 'app.bsky.feed.like', rkey: '3k' },
      }),
    ).toBe('did:plc:a 3l app.bsky.feed.like/3k');
  });

  it('keys identity and account events by DID, kind and relay time', () => {
    expect(
      eventKey({ did: 'did:plc:a', kind: 'identity', identity: { time: '2026-07-01T12:00:00.000Z' } }),
    ).toBe('did:plc:a identity 2026-07-01T12:00:00.000Z');
    expect(eventKey({ did: 'did:plc:a', kind: 'account', account: { time: 't' } })).toBe(
      'did:plc:a account t',
    );
  });
});
