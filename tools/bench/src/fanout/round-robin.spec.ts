import { roundRobinShare, roundRobinUrl } from './round-robin.js';

describe('roundRobinShare', () => {
  it('deals the list out in turn: share k holds items k, k + shares, …', () => {
    const items = ['a', 'b', 'c', 'd', 'e'];
    expect(roundRobinShare(items, 2, 0)).toEqual(['a', 'c', 'e']);
    expect(roundRobinShare(items, 2, 1)).toEqual(['b', 'd']);
    expect(roundRobinShare(items, 1, 0)).toEqual(items);
    expect(roundRobinShare(items, 6, 5)).toEqual([]);
  });
});

describe('roundRobinUrl', () => {
  const edges = ['ws://127.0.0.1:1/subscribe', 'ws://127.0.0.1:2/subscribe'];

  it('gives a process its subscribers the URLs in turn', () => {
    expect([0, 1, 2, 3, 4].map((index) => roundRobinUrl(edges, index))).toEqual([edges[0], edges[1], edges[0], edges[1], edges[0]]);
    expect([0, 1, 2].map((index) => roundRobinUrl([edges[0]], index))).toEqual([edges[0], edges[0], edges[0]]);
  });

  it('with as many processes as URLs, still gives every URL its share of every kind of subscriber', () => {
    // 20 subscribers of the mix (kinds repeat every 10: 6 zstd, 3 collection filters, 1 DID filter), 2 processes, 2 edges.
    const mix = ['zstd', 'zstd', 'zstd', 'zstd', 'zstd', 'zstd', 'posts', 'follows', 'reposts', 'dids'];
    const subscribers = [...mix, ...mix];
    const kindsPerEdge = edges.map(() => new Map<string, number>());
    for (const share of [0, 1]) {
      roundRobinShare(subscribers, 2, share).forEach((kind, index) => {
        const kinds = kindsPerEdge[edges.indexOf(roundRobinUrl(edges, index))];
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      });
    }
    const fairShare = new Map([['zstd', 6], ['posts', 1], ['reposts', 1], ['follows', 1], ['dids', 1]]);
    expect(kindsPerEdge).toEqual([fairShare, fairShare]);
  });

  it('refuses an empty list', () => {
    expect(() => roundRobinUrl([], 0)).toThrow(RangeError);
  });
});
