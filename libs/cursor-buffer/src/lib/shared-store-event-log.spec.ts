import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from './event-store.js';
import { openLmdbEventReader, openLmdbEventStore } from './lmdb-event-store.js';
import { SharedStoreEventLog } from './shared-store-event-log.js';
import { loggedEvent, loggedEvents, readable } from './test-events.test-util.js';

describe('SharedStoreEventLog over openLmdbEventReader (the writer is another lmdb environment on the same files)', () => {
  let directory: string;
  let path: string;
  let writer: EventStore;
  let log: SharedStoreEventLog | undefined;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'shared-store-'));
    path = join(directory, 'events');
    writer = openLmdbEventStore({ path });
  });

  afterEach(async () => {
    await log?.close();
    log = undefined;
    await writer.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const times = (events: readonly { time_us: number }[]) => events.map((event) => event.time_us);
  const open = (options?: ConstructorParameters<typeof SharedStoreEventLog>[1]) => (log = new SharedStoreEventLog(openLmdbEventReader({ path }), options));

  it('starts at the head the writer committed and serves it from the store', async () => {
    await writer.append(loggedEvents(10, 3), 3);
    const shared = open();
    expect(shared.headTimeUs()).toBe(12);
    expect(shared.oldestTimeUs()).toBe(10);
    expect(shared.readFrom(0, 10).map(readable)).toEqual(loggedEvents(10, 3).map(readable));
  });

  it('shows a commit only once it is announced, then emits the announced head once', async () => {
    await writer.append(loggedEvents(1, 2), 2);
    const shared = open();
    const heads: number[] = [];
    shared.appended.subscribe((head) => heads.push(head));

    await writer.append(loggedEvents(3, 3), 5);
    expect(times(shared.readFrom(0, 10))).toEqual([1, 2]);
    expect(shared.headTimeUs()).toBe(2);

    shared.announce(5);
    expect(heads).toEqual([5]);
    expect(shared.headTimeUs()).toBe(5);
    expect(shared.readFrom(3, 10).map(readable)).toEqual(loggedEvents(3, 3).map(readable));
    expect(times(shared.readFrom(0, 10))).toEqual([1, 2, 3, 4, 5]);

    shared.announce(5);
    shared.announce(4);
    expect(heads).toEqual([5]);
  });

  it('catches up over several pages when one announcement covers many commits', async () => {
    const shared = open({ pageSize: 2 });
    await writer.append(loggedEvents(1, 3), 1);
    await writer.append(loggedEvents(4, 4), 2);
    shared.announce(7);
    expect(times(shared.readFrom(1, 100))).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('serves live readers the same objects from memory, and readers behind the tail from the store', async () => {
    const shared = open({ tailCapacity: 2 });
    await writer.append(loggedEvents(1, 4), 4);
    shared.announce(4);
    expect(shared.readFrom(3, 10)[0]).toBe(shared.readFrom(3, 10)[0]);
    expect(times(shared.readFrom(1, 10))).toEqual([1, 2, 3, 4]);
  });

  it('names collections the writer first used after the reader opened', async () => {
    const shared = open();
    await writer.append([loggedEvent(1, { collection: 'app.bsky.feed.post' }), loggedEvent(2, { collection: 'app.example.new' })], 2);
    shared.announce(2);
    expect(shared.readFrom(0, 10).map((event) => event.collection)).toEqual(['app.bsky.feed.post', 'app.example.new']);
  });

  it('reads from the store past its head without failing on a collection first used there (not announced yet)', async () => {
    await writer.append([loggedEvent(1, { collection: 'app.bsky.feed.post' })], 1);
    const shared = open();
    await writer.append([loggedEvent(2, { collection: 'app.example.new' })], 2);
    expect(shared.readFrom(0, 10).map((event) => event.collection)).toEqual(['app.bsky.feed.post']);
  });

  it('trims only its own memory (the writer trims the store)', async () => {
    const shared = open();
    await writer.append(loggedEvents(1, 3), 3);
    shared.announce(3);
    await expect(shared.trimOlderThan(3)).resolves.toBe(0);
    expect(times(shared.readFrom(0, 10))).toEqual([1, 2, 3]);
  });

  it('refuses to open a store its writer has not created', () => {
    expect(() => openLmdbEventReader({ path: join(directory, 'missing') })).toThrow();
  });
});
