import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from './event-store.js';
import { openLmdbEventStore } from './lmdb-event-store.js';
import { loggedEvent, loggedEvents, readable } from './test-events.test-util.js';

describe('openLmdbEventStore', () => {
  let directory: string;
  let path: string;
  let store: EventStore;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'cursor-buffer-'));
    path = join(directory, 'events');
    store = openLmdbEventStore({ path });
  });

  afterEach(async () => {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const reopen = async () => {
    await store.close();
    store = openLmdbEventStore({ path });
  };

  it('starts empty', () => {
    expect(store.readFrom(0, 10)).toEqual([]);
    expect(store.headTimeUs()).toBe(0);
    expect(store.oldestTimeUs()).toBe(0);
    expect(store.relayCursor()).toBeUndefined();
  });

  it('round-trips events: filter fields, zstd bytes, and JSON decompressed on access', async () => {
    const events = [
      loggedEvent(100, { relaySeq: 7, collection: 'app.bsky.feed.post', json: '{"did":"x","kind":"commit"}' }),
      loggedEvent(101, { relaySeq: 8, kind: 'identity', did: 'did:web:example.com' }),
      loggedEvent(102, { relaySeq: 9, kind: 'account' }),
      loggedEvent(103, { relaySeq: 9, collection: 'fyi.unravel.frontpage.vote' }),
    ];
    await store.append(events, 9);
    await reopen();
    const read = store.readFrom(0, 10);
    expect(read.map(readable)).toEqual(events.map(readable));
    expect(read.map((event) => Buffer.from(event.zstd))).toEqual(events.map((event) => Buffer.from(event.zstd)));
  });

  it('reads from a cursor, inclusively, up to the limit, in time_us order', async () => {
    await store.append(loggedEvents(1000, 5), 1);
    await store.append(loggedEvents(1005, 5), 2);
    expect(store.readFrom(1003, 4).map((event) => event.time_us)).toEqual([1003, 1004, 1005, 1006]);
    expect(store.readFrom(1009, 4).map((event) => event.time_us)).toEqual([1009]);
    expect(store.readFrom(1010, 4)).toEqual([]);
    expect(store.readFrom(-5, 2).map((event) => event.time_us)).toEqual([1000, 1001]);
    expect(store.readFrom(1000, 0)).toEqual([]);
  });

  it('orders by numeric time_us, where decimal keys would not (999 before 1000, 2^32 boundary)', async () => {
    const times = [999, 1000, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 1_725_911_162_329_308];
    await store.append(times.map((timeUs) => loggedEvent(timeUs)), 1);
    expect(store.readFrom(0, 100).map((event) => event.time_us)).toEqual(times);
    expect(store.readFrom(1000, 100).map((event) => event.time_us)).toEqual(times.slice(1));
  });

  it('keeps the relay cursor and head across a reopen, also after trimming everything', async () => {
    await store.append(loggedEvents(10, 3), 555);
    await store.append([], 556);
    await store.trimOlderThan(1000);
    await reopen();
    expect(store.relayCursor()).toBe(556);
    expect(store.headTimeUs()).toBe(12);
    expect(store.oldestTimeUs()).toBe(0);
  });

  it('rejects a batch that does not continue above the head, writing none of it', async () => {
    await store.append(loggedEvents(10, 3), 1);
    await expect(store.append([loggedEvent(13), loggedEvent(12)], 2)).rejects.toThrow(RangeError);
    await expect(store.append([loggedEvent(12)], 2)).rejects.toThrow(RangeError);
    await reopen();
    expect(store.readFrom(0, 10).map((event) => event.time_us)).toEqual([10, 11, 12]);
    expect(store.relayCursor()).toBe(1);
    await store.append([loggedEvent(13)], 3);
    expect(store.headTimeUs()).toBe(13);
  });

  it('keeps collection names across sessions', async () => {
    await store.append([loggedEvent(1, { collection: 'app.bsky.feed.like' }), loggedEvent(2, { collection: 'app.bsky.feed.post' })], 1);
    await reopen();
    await store.append([loggedEvent(3, { collection: 'app.bsky.graph.follow' }), loggedEvent(4, { collection: 'app.bsky.feed.like' })], 2);
    await reopen();
    expect(store.readFrom(0, 10).map((event) => event.collection)).toEqual([
      'app.bsky.feed.like',
      'app.bsky.feed.post',
      'app.bsky.graph.follow',
      'app.bsky.feed.like',
    ]);
  });

  it('trims whole ranges older than a time, in chunks', async () => {
    await store.close();
    store = openLmdbEventStore({ path, trimChunkSize: 3 });
    await store.append(loggedEvents(100, 10), 1);
    expect(await store.trimOlderThan(107)).toBe(7);
    expect(store.oldestTimeUs()).toBe(107);
    expect(store.readFrom(0, 100).map((event) => event.time_us)).toEqual([107, 108, 109]);
    expect(await store.trimOlderThan(107)).toBe(0);
    expect(store.headTimeUs()).toBe(109);
  });

  it('keeps read events valid after further reads and writes', async () => {
    await store.append(loggedEvents(1, 3, { json: '{"n":1}' }), 1);
    const first = store.readFrom(1, 1)[0];
    store.readFrom(2, 2);
    await store.append(loggedEvents(4, 3, { json: '{"n":2}' }), 2);
    store.readFrom(4, 3);
    expect(readable(first)).toEqual(readable(loggedEvent(1, { json: '{"n":1}' })));
  });

  it('reads values bigger than the read buffer lmdb reuses (100 KB of zstd) next to small ones', async () => {
    // Hex of a counter hashed by position: zstd cannot shrink it much, so the stored value stays ~100 KB.
    const noise = Array.from({ length: 12_500 }, (_, index) => ((index * 2_654_435_761) >>> 0).toString(16).padStart(8, '0')).join('');
    const events = [loggedEvent(1), loggedEvent(2, { json: `{"noise":"${noise}"}` }), loggedEvent(3)];
    await store.append(events, 1);
    const read = store.readFrom(1, 3);
    expect(read[1].zstd.length).toBeGreaterThan(50_000);
    expect(read.map(readable)).toEqual(events.map(readable));
  });
});
