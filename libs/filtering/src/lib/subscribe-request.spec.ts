import { parseSubscribeRequest, type SubscribeRequestResult } from './subscribe-request.js';

const NOW_US = 1_700_000_000_000_000;
const parse = (target: string, headers: Record<string, string | string[]> = {}): SubscribeRequestResult =>
  parseSubscribeRequest(target, headers, { nowUs: () => NOW_US });

function options(target: string, headers: Record<string, string | string[]> = {}) {
  const result = parse(target, headers);
  if (!result.ok) throw new Error(`expected options, got 400 ${result.message}`);
  return result.options;
}

function rejection(target: string): string {
  const result = parse(target);
  if (result.ok) throw new Error('expected a 400');
  expect(result.status).toBe(400);
  return result.message;
}

const did = (n: number): string => `did:web:host${n}.example`;
/** A `did:plc` DID (32 bytes). */
const plc = (n: number): string => `did:plc:${String(n).padStart(24, 'a')}`;

describe('parseSubscribeRequest', () => {
  it('gives the live tail with no filter for a bare request', () => {
    expect(options('/subscribe')).toEqual({
      filter: { wantedCollections: null, wantedDids: new Set() },
      maxMessageSizeBytes: 0,
      requireHello: false,
      compress: false,
      cursor: undefined,
    });
  });

  describe('wantedCollections and wantedDids', () => {
    it('collects repeated parameters, splitting full NSIDs from .* prefixes', () => {
      const { filter } = options(
        '/subscribe?wantedCollections=app.bsky.feed.post&wantedCollections=app.bsky.graph.*&wantedDids=did:plc:abcdefghijklmnopqrstuvwx&wantedDids=did:web:example.com',
      );
      expect(filter.wantedCollections).toEqual({ exact: new Set(['app.bsky.feed.post']), prefixes: ['app.bsky.graph.'] });
      expect(filter.wantedDids).toEqual(new Set(['did:plc:abcdefghijklmnopqrstuvwx', 'did:web:example.com']));
    });

    it('does not split comma-separated lists', () => {
      expect(rejection('/subscribe?wantedCollections=app.bsky.feed.post,app.bsky.feed.like')).toBe(
        'invalid subscriber options: invalid collection: app.bsky.feed.post,app.bsky.feed.like',
      );
    });

    it('counts empty values, with or without "="', () => {
      expect(rejection('/subscribe?wantedCollections=')).toBe('invalid subscriber options: invalid collection: ');
      expect(rejection('/subscribe?wantedCollections')).toBe('invalid subscriber options: invalid collection: ');
      expect(rejection('/subscribe?wantedDids=')).toBe('invalid subscriber options');
    });

    it('keeps prefixes unvalidated, including ".*" alone', () => {
      expect(options('/subscribe?wantedCollections=.*').filter.wantedCollections?.prefixes).toEqual(['.']);
      expect(options('/subscribe?wantedCollections=not%20an%20nsid.*').filter.wantedCollections?.prefixes).toEqual([
        'not an nsid.',
      ]);
    });

    it('rejects wildcards that are not a trailing ".*"', () => {
      expect(rejection('/subscribe?wantedCollections=app.bsky.graph.fo*')).toBe(
        'invalid subscriber options: invalid collection: app.bsky.graph.fo*',
      );
      expect(rejection('/subscribe?wantedCollections=*')).toBe('invalid subscriber options: invalid collection: *');
    });

    it('decodes the query as Go does: %XX and "+" as a space', () => {
      expect(options('/subscribe?wantedCollections=app.bsky.feed.%2A').filter.wantedCollections?.prefixes).toEqual([
        'app.bsky.feed.',
      ]);
      expect(rejection('/subscribe?wantedCollections=app+bsky')).toBe('invalid subscriber options: invalid collection: app bsky');
    });

    it('skips pairs with a semicolon or a bad escape, as Go does', () => {
      expect(options('/subscribe?wantedCollections=bad;x&cursor=%zz').filter.wantedCollections).toBeNull();
    });

    it('reports the bad DID without detail', () => {
      expect(rejection('/subscribe?wantedDids=did:plc:abcdefghijklmnopqrstuvwx&wantedDids=DID:plc:x')).toBe(
        'invalid subscriber options',
      );
    });

    it('checks collections before DIDs', () => {
      expect(rejection('/subscribe?wantedDids=nope&wantedCollections=nope')).toBe(
        'invalid subscriber options: invalid collection: nope',
      );
    });

    it('allows 10,000 distinct DIDs, counting duplicates once', () => {
      const dids = Array.from({ length: 10_000 }, (_, n) => `wantedDids=${did(n)}`);
      expect(options(`/subscribe?${dids.join('&')}&wantedDids=${did(0)}`).filter.wantedDids.size).toBe(10_000);
      expect(rejection(`/subscribe?${dids.join('&')}&wantedDids=${did(10_000)}`)).toBe(
        'invalid subscriber options: too many wanted DIDs',
      );
    });

    it('counts prefixes with duplicates and full NSIDs without toward the 100 collections', () => {
      const nsids = Array.from({ length: 100 }, (_, n) => `wantedCollections=app.bsky.test.n${n}`);
      expect(options(`/subscribe?${nsids.join('&')}&wantedCollections=app.bsky.test.n0`).filter.wantedCollections?.exact.size).toBe(100);
      expect(rejection(`/subscribe?${nsids.join('&')}&wantedCollections=app.bsky.test.n100`)).toBe(
        'invalid subscriber options: too many wanted collections',
      );
      const prefixes = Array.from({ length: 101 }, () => 'wantedCollections=app.bsky.*');
      expect(rejection(`/subscribe?${prefixes.join('&')}`)).toBe('invalid subscriber options: too many wanted collections');
    });

    it('refuses a filter over maxFilterBytes (distinct DIDs and collections, by size), after the counts', () => {
      // Two 32-byte DIDs and a 9-byte prefix: 73 bytes; a duplicate DID is counted once.
      const url = `/subscribe?wantedDids=${plc(1)}&wantedDids=${plc(2)}&wantedDids=${plc(1)}&wantedCollections=app.bsky.*`;
      expect(parseSubscribeRequest(url, {}, { maxFilterBytes: 73 }).ok).toBe(true);
      expect(parseSubscribeRequest(url, {}, { maxFilterBytes: 72 })).toEqual({
        ok: false,
        status: 400,
        message: 'invalid subscriber options: filter too large: more than 72 bytes of wanted DIDs and collections',
      });
    });

    it('allows 10,000 did:plc DIDs under the default 1 MiB filter size, not 10,000 long did:web DIDs', () => {
      const plcs = Array.from({ length: 10_000 }, (_, n) => `wantedDids=${plc(n)}`).join('&');
      expect(options(`/subscribe?${plcs}`).filter.wantedDids.size).toBe(10_000);
      const web = Array.from({ length: 10_000 }, (_, n) => `wantedDids=did:web:${'x'.repeat(100)}${n}.example`).join('&');
      expect(rejection(`/subscribe?${web}`)).toBe(
        'invalid subscriber options: filter too large: more than 1048576 bytes of wanted DIDs and collections',
      );
    });

    it('checks the DID count before the collection count, and every DID before either', () => {
      const prefixes = Array.from({ length: 101 }, () => 'wantedCollections=app.bsky.*').join('&');
      const dids = Array.from({ length: 10_001 }, (_, n) => `wantedDids=${did(n)}`).join('&');
      expect(rejection(`/subscribe?${prefixes}&${dids}`)).toBe('invalid subscriber options: too many wanted DIDs');
      expect(rejection(`/subscribe?${prefixes}&${dids}&wantedDids=bad`)).toBe('invalid subscriber options');
    });
  });

  describe('maxMessageSizeBytes', () => {
    it.each([
      ['', 0],
      ['abc', 0],
      ['-5', 0],
      ['1.5', 0],
      ['1000', 1000],
      ['%2B7', 7],
      ['+7', 0],
      ['4294967295', 4294967295],
      ['4294967296', 0],
      ['4294967297', 1],
      ['9223372036854775807', 4294967295],
      ['9223372036854775808', 0],
    ])('reads %p as %p', (value, expected) => {
      expect(options(`/subscribe?maxMessageSizeBytes=${value}`).maxMessageSizeBytes).toBe(expected);
    });

    it('uses the first value', () => {
      expect(options('/subscribe?maxMessageSizeBytes=5&maxMessageSizeBytes=6').maxMessageSizeBytes).toBe(5);
    });
  });

  it('turns requireHello on only for exactly "true"', () => {
    expect(options('/subscribe?requireHello=true').requireHello).toBe(true);
    expect(options('/subscribe?requireHello=True').requireHello).toBe(false);
    expect(options('/subscribe?requireHello=1').requireHello).toBe(false);
  });

  describe('compression', () => {
    it('is on when the first Socket-Encoding value contains "zstd" (case-sensitive)', () => {
      expect(options('/subscribe', { 'socket-encoding': 'zstd' }).compress).toBe(true);
      expect(options('/subscribe', { 'socket-encoding': 'gzip, zstd' }).compress).toBe(true);
      expect(options('/subscribe', { 'socket-encoding': 'ZSTD' }).compress).toBe(false);
      expect(options('/subscribe', { 'socket-encoding': ['gzip', 'zstd'] }).compress).toBe(false);
      expect(options('/subscribe', { 'accept-encoding': 'zstd' }).compress).toBe(false);
    });

    it('is on for compress=true exactly', () => {
      expect(options('/subscribe?compress=true').compress).toBe(true);
      expect(options('/subscribe?compress=1').compress).toBe(false);
    });
  });

  describe('cursor', () => {
    it('replays from a past cursor, inclusive, and from a negative one', () => {
      expect(options(`/subscribe?cursor=${NOW_US - 5}`).cursor).toBe(NOW_US - 5);
      expect(options(`/subscribe?cursor=${NOW_US}`).cursor).toBe(NOW_US);
      expect(options('/subscribe?cursor=-9223372036854775808').cursor).toBe(-9223372036854775808);
      expect(options('/subscribe?cursor=0').cursor).toBe(0);
    });

    it('treats a future cursor and an empty one as the live tail', () => {
      expect(options(`/subscribe?cursor=${NOW_US + 1}`).cursor).toBeUndefined();
      expect(options('/subscribe?cursor=').cursor).toBeUndefined();
    });

    it.each(['abc', '1.5', '1e6', ' 5', '9223372036854775808', '0x10', '1_000'])('rejects %p', (raw) => {
      expect(rejection(`/subscribe?cursor=${encodeURIComponent(raw)}`)).toBe(`invalid cursor: ${raw}`);
    });

    it('is checked before the filters', () => {
      expect(rejection('/subscribe?wantedCollections=bad&cursor=x')).toBe('invalid cursor: x');
    });
  });

  it('accepts a URL', () => {
    const result = parseSubscribeRequest(new URL('ws://localhost:6008/subscribe?wantedCollections=app.bsky.feed.post&compress=true'), {});
    expect(result.ok && result.options.compress && [...(result.options.filter.wantedCollections?.exact ?? [])]).toEqual([
      'app.bsky.feed.post',
    ]);
  });
});
