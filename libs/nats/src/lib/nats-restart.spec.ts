import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CursorBuffer, openLmdbEventStore } from '@jetstream-ts/cursor-buffer';
import { filter, firstValueFrom } from 'rxjs';
import { ensureEventStream, eventStreamConfig } from './event-stream.js';
import { JetStreamEventPublisher } from './jetstream-event-publisher.js';
import { startLocalNatsServer } from './local-nats-server.js';
import { connectNats } from './nats-connection.js';
import { frameEvents, frameOps, readStream } from './nats-test-env.test-util.js';
import { replicateEventStream } from './replicate-event-stream.js';

it('the publisher and an edge carry on, nothing lost or repeated, when NATS is killed and restarted', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'jetstream-nats-restart-'));
  let nats = await startLocalNatsServer({ storeDir: join(dir, 'nats') });
  const { connection, jsm, state } = await connectNats(nats.url);
  const stream = eventStreamConfig();
  await ensureEventStream(jsm, stream, { update: true });
  const retries: unknown[] = [];
  const publisher = await JetStreamEventPublisher.open({ connection, jsm, stream, retryDelayMs: 100, ackTimeoutMs: 500, onRetry: (error) => retries.push(error) });
  const log = new CursorBuffer(openLmdbEventStore({ path: join(dir, 'edge') }));
  const reach = (timeUs: number) => firstValueFrom(log.appended.pipe(filter((head) => head >= timeUs)));
  const replication = replicateEventStream({ connection, jsm, stream, log }).subscribe();
  try {
    await Promise.all([reach(101), publisher.append(frameEvents([[1, 2]], 100), 1)]);

    await nats.kill();
    const appending = publisher.append(frameEvents([[2, 1], [3, 2]], 200), 3);
    nats = await startLocalNatsServer({ storeDir: join(dir, 'nats'), port: nats.port });
    await appending;
    await reach(202);

    expect(frameOps(await readStream(jsm, stream.name))).toEqual(['1:0', '1:1', '2:0', '3:0', '3:1']);
    expect(log.readFrom(0, 100).map((event) => event.time_us)).toEqual([100, 101, 200, 201, 202]);
    expect(retries.length).toBeGreaterThan(0);
    expect(state()).toBe('connected');
  } finally {
    replication.unsubscribe();
    await log.close();
    await connection.close();
    await nats.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
