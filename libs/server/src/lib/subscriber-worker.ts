import cluster from 'node:cluster';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { expireEvents, openLmdbEventReader, SharedStoreEventLog } from '@jetstream-ts/cursor-buffer';
import type { DependencyContainer } from 'tsyringe';
import { createHttpServer } from './http-listener.js';
import { primaryChannel, workerSubscribeOptions } from './pool-connection-limits.js';
import { publicRoutes } from './public-routes.js';
import { TOKENS } from './tokens.js';
import { isWorkerMessage } from './worker-messages.js';

/** Subscribers get this long to close before the worker exits anyway. */
const STOP_DEADLINE_MS = 5_000;

/** Whether this process is a subscriber worker forked by the primary's `WorkerPool` (`--workers`). */
export function isSubscriberWorker(): boolean {
  return cluster.isWorker;
}

/**
 * Runs this process as one of the primary's subscriber workers (`--workers N`): serves the
 * public routes (`/subscribe`, `/`) on the connections the primary hands over, from the lmdb store under `<data-dir>/events`, opened
 * read-only (the primary is its only writer), with the container's `/subscribe` endpoint (the
 * same limits and subscriber plugins as one process). The primary announces each committed head
 * over the IPC channel; the worker also answers its metrics requests and its stop request, and
 * exits when the primary goes away. SIGTERM/SIGINT are the primary's to act on (a terminal's
 * Ctrl-C reaches every process of the group): the worker waits for the primary to stop it.
 *
 * @example
 * import { createServerContainer, isSubscriberWorker, runSubscriberWorker, runUntilSignal } from '@jetstream-ts/server';
 *
 * // config: a ServerConfig (e.g. serverConfig({ ... }))
 * const container = createServerContainer(config);
 * if (isSubscriberWorker()) await runSubscriberWorker(container);
 * else await runUntilSignal(container);
 *
 * @param container From `createServerContainer`, with the same registrations as the primary's.
 */
export async function runSubscriberWorker(container: DependencyContainer): Promise<void> {
  const config = container.resolve(TOKENS.config);
  const logger = container.resolve(TOKENS.logger).child({ worker: cluster.worker?.id });
  const log = new SharedStoreEventLog(openLmdbEventReader({ path: join(config.dataDir, 'events') }));
  container.register(TOKENS.logger, { useValue: logger });
  container.register(TOKENS.subscriberLog, { useValue: log });
  const primary = primaryChannel();
  container.register(TOKENS.workerSubscribeOptions, { useValue: workerSubscribeOptions(cluster.worker?.id ?? 0, primary) });
  const registry = container.resolve(TOKENS.registry);
  const subscribe = container.resolve(TOKENS.subscribe);
  // The primary trims the store; the worker forgets the same events from its memory.
  const retention = expireEvents(log, { ttlMs: config.eventTtlMs, intervalMs: config.livenessTtlMs }).subscribe();
  const server = createHttpServer(publicRoutes(subscribe));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      setTimeout(() => process.exit(1), STOP_DEADLINE_MS).unref();
      await subscribe.close();
      retention.unsubscribe();
      await log.close();
      logger.info('subscriber worker stopped');
      process.exit(0);
    })());
  process.on('message', (message: unknown, handle: unknown) => {
    if (!isWorkerMessage(message)) return;
    if (message.jetstream === 'head') log.announce(message.timeUs);
    else if (message.jetstream === 'connection' && handle instanceof Socket) server.emit('connection', handle);
    else if (message.jetstream === 'metrics-request') {
      void registry.getMetricsAsJSON().then((metrics) => primary.send({ jetstream: 'metrics', id: message.id, metrics }));
    } else if (message.jetstream === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => logger.debug({ signal }, 'signal left to the primary'));
  primary.send({ jetstream: 'ready' });
  logger.info({ pid: process.pid, headTimeUs: log.headTimeUs() }, 'subscriber worker started');
}
