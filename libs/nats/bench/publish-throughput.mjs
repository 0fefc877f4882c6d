// The ingester's NATS publish ceiling and an edge's catch-up rate, on loopback against Debian's
// nats-server, for synthetic events shaped like real traffic (~550 B of JSON, ~250 B zstd).
// Runs the compiled library:
//   npx tsc -b libs/nats && node libs/nats/bench/publish-throughput.mjs [events] [batch]
// Prints one JSON line: publish and replication events/s; bytes per event in the stream (JetStream's
// state.bytes / messages: body, headers, subject and its record), and on the wire (the connection's
// byte counters of payload and headers: what the ingester sends per event, what an edge receives
// per event), and this process's CPU per event while publishing and while replicating (the
// client's share, less sensitive than events/s to the load of a shared machine).
import { createV1Compressor } from '@jetstream-ts/compression';
import { CursorBuffer, createMemoryEventStore } from '@jetstream-ts/cursor-buffer';
import {
  connectNats, ensureEventStream, eventStreamConfig, JetStreamEventPublisher, replicateEventStream, startLocalNatsServer,
} from '@jetstream-ts/nats';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom } from 'rxjs';
import { encodedSyntheticEvents } from '../../cursor-buffer/bench/synthetic-events.mjs';

const total = Number(process.argv[2] ?? 100_000);
const batchSize = Number(process.argv[3] ?? 1000);
const compressor = createV1Compressor();
const events = encodedSyntheticEvents(total, 1_783_000_000_000_000, (json) => compressor.compress(json));

const cpuMicros = ({ user, system }) => user + system;

const directory = mkdtempSync(join(tmpdir(), 'nats-bench-'));
const nats = await startLocalNatsServer({ storeDir: directory });
const { connection, jsm } = await connectNats(nats.url);
try {
  const stream = eventStreamConfig();
  await ensureEventStream(jsm, stream, { update: true });
  const publisher = await JetStreamEventPublisher.open({ connection, jsm, stream });
  const beforePublish = connection.stats();
  const publishCpu = process.cpuUsage();
  const publishStarted = performance.now();
  for (let start = 0; start < total; start += batchSize) {
    const batch = events.slice(start, start + batchSize);
    await publisher.append(batch, batch[batch.length - 1].relaySeq);
  }
  const publishSeconds = (performance.now() - publishStarted) / 1000;
  const afterPublish = connection.stats();
  const publishCpuUs = cpuMicros(process.cpuUsage(publishCpu));
  const { state } = await jsm.streams.info(stream.name);

  const log = new CursorBuffer(createMemoryEventStore());
  const replicateCpu = process.cpuUsage();
  const replicateStarted = performance.now();
  const replication = replicateEventStream({ connection, jsm, stream, log }).subscribe();
  await firstValueFrom(log.appended.pipe(filter((head) => head >= events[total - 1].time_us)));
  const replicateSeconds = (performance.now() - replicateStarted) / 1000;
  replication.unsubscribe();
  const afterReplicate = connection.stats();
  const replicateCpuUs = cpuMicros(process.cpuUsage(replicateCpu));

  const zstdBytes = events.reduce((sum, event) => sum + event.zstd.length, 0) / total;
  console.log(JSON.stringify({
    events: total,
    batchSize,
    publishEventsPerSecond: Math.round(total / publishSeconds),
    replicateEventsPerSecond: Math.round(total / replicateSeconds),
    avgJsonBytes: Math.round(events.reduce((sum, event) => sum + event.json.length, 0) / total),
    avgZstdBytes: Math.round(zstdBytes),
    streamBytesPerMessage: Math.round(state.bytes / state.messages),
    wireBytesPublishedPerEvent: Math.round((afterPublish.outBytes - beforePublish.outBytes) / total),
    wireBytesReplicatedPerEvent: Math.round((afterReplicate.inBytes - afterPublish.inBytes) / total),
    publishCpuUsPerEvent: Number((publishCpuUs / total).toFixed(1)),
    replicateCpuUsPerEvent: Number((replicateCpuUs / total).toFixed(1)),
  }));
} finally {
  await connection.close();
  await nats.stop();
  rmSync(directory, { recursive: true, force: true });
}
