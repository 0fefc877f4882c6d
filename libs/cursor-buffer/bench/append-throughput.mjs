// Append throughput and bytes on disk per event of the lmdb event store, for synthetic events
// shaped like real traffic (~550 B of JSON, ~250 B zstd). Runs the compiled library:
//   npx tsc -b libs/cursor-buffer && taskset -c 0 node libs/cursor-buffer/bench/append-throughput.mjs [events] [batch]
// Prints one JSON line per variant: "zstd" is what the store keeps; "json" stores the JSON bytes
// in the same layout instead, for comparison (v1 kept both copies).
import { createV1Compressor } from '@jetstream-ts/compression';
import { openLmdbEventStore } from '@jetstream-ts/cursor-buffer';
import { open } from 'lmdb';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodedSyntheticEvents } from './synthetic-events.mjs';

const total = Number(process.argv[2] ?? 200_000);
const batchSize = Number(process.argv[3] ?? 1000);
const pageSize = process.argv[4] ? Number(process.argv[4]) : undefined;
const compressor = createV1Compressor();
const events = encodedSyntheticEvents(total, 1_783_000_000_000_000, (json) => compressor.compress(json));
const average = (bytes) => events.reduce((sum, event) => sum + bytes(event).length, 0) / total;

async function run(variant, toStored) {
  const directory = mkdtempSync(join(tmpdir(), 'append-bench-'));
  const path = join(directory, 'events');
  const store = openLmdbEventStore({ path, pageSize });
  const stored = events.map(toStored);
  const started = performance.now();
  for (let start = 0; start < total; start += batchSize) {
    const batch = stored.slice(start, start + batchSize);
    await store.append(batch, batch[batch.length - 1].relaySeq);
  }
  const seconds = (performance.now() - started) / 1000;
  const readStarted = performance.now();
  let read = 0;
  for (let from = 0, page; (page = store.readFrom(from, 1000)).length > 0; from = page[page.length - 1].time_us + 1) read += page.length;
  const readSeconds = (performance.now() - readStarted) / 1000;
  await store.close();

  // Pages the events database really uses, and the file as a whole (free pages included).
  const env = open({ path, readOnly: true });
  const stats = env.openDB('events', { keyEncoding: 'binary', encoding: 'binary' }).getStats();
  const eventPages = stats.treeBranchPageCount + stats.treeLeafPageCount + stats.overflowPages;
  await env.close();
  const fileBytes = statSync(join(path, 'data.mdb')).blocks * 512;
  rmSync(directory, { recursive: true, force: true });
  console.log(JSON.stringify({
    variant, events: total, batchSize, pageSize: stats.pageSize,
    appendEventsPerSecond: Math.round(total / seconds),
    readEventsPerSecond: Math.round(read / readSeconds),
    avgJsonBytes: Math.round(average((event) => event.json)),
    avgZstdBytes: Math.round(average((event) => event.zstd)),
    eventsDbBytesPerEvent: Math.round((eventPages * stats.pageSize) / total),
    fileBytesPerEvent: Math.round(fileBytes / total),
  }));
}

await run('zstd', (event) => event);
await run('json', (event) => ({ ...event, zstd: event.json }));
