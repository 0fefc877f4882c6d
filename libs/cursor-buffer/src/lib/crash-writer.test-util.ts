/**
 * Child process of the crash test: appends batches to the lmdb store at argv[2] in a tight loop
 * until it is killed. Batch b (b = 1, 2, ...) holds a random number of events, each JSON naming
 * its batch, index and batch size; its relay cursor is b. It resumes from what the store holds.
 * Prints one line per committed batch so the parent knows writes are under way.
 */
import { createV1Compressor } from '@jetstream-ts/compression';
import type { LoggedEvent } from '@jetstream-ts/models';
import { openLmdbEventStore } from './lmdb-event-store.js';

const store = openLmdbEventStore({ path: process.argv[2] });
const compressor = createV1Compressor();
const utf8 = new TextEncoder();
let timeUs = store.headTimeUs();
let batch = store.relayCursor() ?? 0;

for (;;) {
  batch += 1;
  const size = 1 + Math.floor(Math.random() * 300);
  const events: LoggedEvent[] = [];
  for (let index = 0; index < size; index++) {
    timeUs += 1;
    const json = utf8.encode(JSON.stringify({ batch, index, size, padding: 'x'.repeat(Math.floor(Math.random() * 400)) }));
    events.push({ time_us: timeUs, relaySeq: batch, did: 'did:plc:ewvi7nxzyoun6zhxrhs64oiz', kind: 'commit', collection: `test.crash.c${batch % 7}`, json, zstd: compressor.compress(json) });
  }
  await store.append(events, batch);
  process.stdout.write(`committed ${batch}\n`);
}
