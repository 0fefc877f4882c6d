import { matchesFilter, MATCH_ALL, type FilterableEvent } from './subscriber-filter.js';
import { ALICE, BOB, filterOf } from './subscriber-filter.test-util.js';


const commit = (collection: string, did = ALICE): FilterableEvent => ({ did, collection });
const identity = (did = ALICE): FilterableEvent => ({ did, collection: '' });

describe('matchesFilter', () => {
  it('lets everything through without filters', () => {
    expect(matchesFilter(MATCH_ALL, commit('app.bsky.feed.post'))).toBe(true);
    expect(matchesFilter(filterOf([]), identity(BOB))).toBe(true);
  });

  it('matches full NSIDs exactly and case-sensitively', () => {
    const filter = filterOf(['app.bsky.feed.post']);
    expect(matchesFilter(filter, commit('app.bsky.feed.post'))).toBe(true);
    expect(matchesFilter(filter, commit('app.bsky.feed.postgate'))).toBe(false);
    expect(matchesFilter(filter, commit('app.bsky.feed.Post'))).toBe(false);
  });

  it('matches prefixes as plain string prefixes', () => {
    const filter = filterOf(['app.bsky.graph.*', 'chat.bsky.feed.like']);
    expect(matchesFilter(filter, commit('app.bsky.graph.follow'))).toBe(true);
    expect(matchesFilter(filter, commit('app.bsky.graph.list.item'))).toBe(true);
    expect(matchesFilter(filter, commit('app.bsky.graphx.follow'))).toBe(false);
    expect(matchesFilter(filter, commit('app.bsky.feed.like'))).toBe(false);
  });

  it('lets identity, account and empty-collection commits past a collection filter', () => {
    const filter = filterOf(['app.bsky.feed.post']);
    expect(matchesFilter(filter, identity())).toBe(true);
    expect(matchesFilter(filter, commit(''))).toBe(true);
  });

  it('applies the DID filter to every kind, together with the collection filter', () => {
    const filter = filterOf(['app.bsky.feed.post'], [ALICE]);
    expect(matchesFilter(filter, commit('app.bsky.feed.post', ALICE))).toBe(true);
    expect(matchesFilter(filter, commit('app.bsky.feed.post', BOB))).toBe(false);
    expect(matchesFilter(filter, commit('app.bsky.feed.like', ALICE))).toBe(false);
    expect(matchesFilter(filter, identity(ALICE))).toBe(true);
    expect(matchesFilter(filter, identity(BOB))).toBe(false);
  });

  it('never matches a real collection with the ".*" prefix "."', () => {
    expect(matchesFilter(filterOf(['.*']), commit('app.bsky.feed.post'))).toBe(false);
  });
});
