import type { LoggedEvent } from '@jetstream-ts/models';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CursorBuffer } from './cursor-buffer.js';
import type { EventStore } from './event-store.js';
import { openLmdbEventStore } from './lmdb-event-store.js';
import { createMemoryEventStore } from './memory-event-store.js';
import { loggedEvents } from './test-events.test-util.js';

/** Reads the whole log the way a subscriber does: from a position, `pageSize` at a time. */
function readAll(log: CursorBuffer, from: number, pageSize: number): LoggedEvent[] {
  const read: LoggedEvent[] = [];
  for (let page = log.readFrom(from, pageSize); page.length > 0; page = log.readFrom(from, pageSize)) {
    read.push(...page);
    from = page[page.length - 1].time_us + 1;
  }
  return read;
}

describe.each([
  ['lmdb', (path: string) => openLmdbEventStore({ path })],
  ['memory', () => createMemoryEventStore()],
] as const)('CursorBuffer over the %s store', (_name, openStore: (path: string) => EventStore) => {
  let directory: string;
  let log: CursorBuffer;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'cursor-buffer-'));
    log = new CursorBuffer(openStore(join(directory, 'events')), { tailCapacity: 10 });
  });

  afterEach(async () => {
    await log.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('serves the live tail from memory: the very objects appended', async () => {
    const events = loggedEvents(100, 5);
    await log.append(events, 1);
    const read = log.readFrom(101, 10);
    expect(read).toHaveLength(4);
    read.forEach((event, index) => expect(event).toBe(events[index + 1]));
  });

  it('reads across the store/memory boundary with no gap, duplicate or reordering', async () => {
    for (let batch = 0; batch < 7; batch++) await log.append(loggedEvents(1000 + batch * 4, 4), batch);
    // 28 events; the tail holds the newest 10 (1018..1027), the store all of them.
    for (const pageSize of [1, 3, 7, 10, 100]) {
      for (const from of [0, 1005, 1017, 1018, 1020]) {
        const expected = Array.from({ length: 1028 - Math.max(from, 1000) }, (_, index) => Math.max(from, 1000) + index);
        expect(readAll(log, from, pageSize).map((event) => event.time_us)).toEqual(expected);
      }
    }
  });

  it('signals each committed append with the new head, after the events are readable', async () => {
    const seen: Array<[number, number[]]> = [];
    log.appended.subscribe((head) => seen.push([head, log.readFrom(head, 10).map((event) => event.time_us)]));
    await log.append(loggedEvents(10, 3), 1);
    await log.append([], 2);
    await log.append(loggedEvents(13, 2), 3);
    expect(seen).toEqual([
      [12, [12]],
      [14, [14]],
    ]);
    expect(log.headTimeUs()).toBe(14);
    expect(log.relayCursor()).toBe(3);
  });

  it('does not signal or keep events whose append was rejected', async () => {
    const heads: number[] = [];
    log.appended.subscribe((head) => heads.push(head));
    await log.append(loggedEvents(10, 3), 1);
    await expect(log.append(loggedEvents(5, 3), 2)).rejects.toThrow(RangeError);
    expect(heads).toEqual([12]);
    expect(readAll(log, 0, 100).map((event) => event.time_us)).toEqual([10, 11, 12]);
    expect(log.relayCursor()).toBe(1);
  });

  it('trims memory and store alike', async () => {
    await log.append(loggedEvents(100, 20), 1);
    expect(await log.trimOlderThan(115)).toBe(15);
    expect(log.oldestTimeUs()).toBe(115);
    expect(readAll(log, 0, 3).map((event) => event.time_us)).toEqual([115, 116, 117, 118, 119]);
  });

  it('completes `appended` on close', async () => {
    let completed = false;
    log.appended.subscribe({ complete: () => (completed = true) });
    await log.close();
    expect(completed).toBe(true);
    log = new CursorBuffer(createMemoryEventStore());
  });
});
