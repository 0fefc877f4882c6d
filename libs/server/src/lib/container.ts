// tsyringe needs the Reflect metadata polyfill loaded before it is; importing the server is enough.
import 'reflect-metadata';
import { join } from 'node:path';
import { CursorBuffer, openLmdbEventStore } from '@jetstream-ts/cursor-buffer';
import { createV1Compressor } from '@jetstream-ts/compression';
import { v1IngestStages } from '@jetstream-ts/ingest';
import { countSequenced, createMetrics, MetricsDropReporter } from '@jetstream-ts/metrics';
import { SubscribeEndpoint } from '@jetstream-ts/subscribers';
import { relayFrames } from '@jetstream-ts/upstream';
import { pino } from 'pino';
import { pipe } from 'rxjs';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { container as rootContainer, instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import type { ServerConfig } from './server-config.js';
import { JetstreamServer } from './jetstream-server.js';
import { TOKENS } from './tokens.js';
import { logUpstreamStatus } from './upstream-status-log.js';

/**
 * A child container with the server's defaults: pino JSON logs to stdout, a prom-client
 * registry with the default process metrics and the v1 metrics, a drop reporter counting into
 * them, the lmdb event store under `<data-dir>/events` behind a cursor buffer, the relay source,
 * the v1 ingest stages, and the `/subscribe` endpoint. Register over any token before
 * {@link resolveJetstreamServer} to replace a part (tests register an in-memory store, custom
 * relays their plugins). `reflect-metadata` must have been imported first (the app's `main` does).
 *
 * @param config The parsed configuration.
 * @param parent The container to derive from (the global one by default).
 * @return The container.
 */
export function createServerContainer(config: ServerConfig, parent: DependencyContainer = rootContainer): DependencyContainer {
  const container = parent.createChildContainer();
  container.register(TOKENS.config, { useValue: config });
  container.register(TOKENS.logger, { useFactory: instanceCachingFactory(() => pino({ name: 'jetstream' })) });
  container.register(TOKENS.registry, {
    useFactory: instanceCachingFactory(() => {
      const registry = new Registry();
      collectDefaultMetrics({ register: registry });
      return registry;
    }),
  });
  container.register(TOKENS.metrics, { useFactory: instanceCachingFactory((c) => createMetrics(c.resolve(TOKENS.registry), { socketUrl: config.wsUrl })) });
  container.register(TOKENS.drops, {
    useFactory: instanceCachingFactory((c) => new MetricsDropReporter(c.resolve(TOKENS.metrics).droppedInput, c.resolve(TOKENS.logger))),
  });
  container.register(TOKENS.ingestStages, {
    useFactory: instanceCachingFactory((c) => {
      const stages = v1IngestStages({ compressor: createV1Compressor(), drops: c.resolve(TOKENS.drops) });
      // The encode stage is the first after sequencing: count there what was sequenced.
      return { ...stages, encode: pipe(countSequenced(c.resolve(TOKENS.metrics)), stages.encode) };
    }),
  });
  container.register(TOKENS.eventLog, {
    useFactory: instanceCachingFactory(() => new CursorBuffer(openLmdbEventStore({ path: join(config.dataDir, 'events') }))),
  });
  container.register(TOKENS.upstream, {
    useFactory: instanceCachingFactory((c) => {
      const onStatus = logUpstreamStatus(c.resolve(TOKENS.logger));
      return (cursor: () => number | undefined) => relayFrames({ wsUrl: config.wsUrl, cursor, livenessTtl: config.livenessTtlMs, onStatus });
    }),
  });
  container.register(TOKENS.subscribe, {
    useFactory: instanceCachingFactory(
      (c) =>
        new SubscribeEndpoint({
          log: c.resolve(TOKENS.eventLog),
          session: { maxEventsPerSecond: config.maxSubRate },
          metrics: c.resolve(TOKENS.metrics).server,
          logger: c.resolve(TOKENS.logger),
        }),
    ),
  });
  return container;
}

/**
 * The server, built from the container's registrations (plugins: every registration, in order).
 *
 * @param container A container from {@link createServerContainer}.
 * @return The server, not started.
 */
export function resolveJetstreamServer(container: DependencyContainer): JetstreamServer {
  return new JetstreamServer({
    config: container.resolve(TOKENS.config),
    logger: container.resolve(TOKENS.logger),
    registry: container.resolve(TOKENS.registry),
    metrics: container.resolve(TOKENS.metrics),
    log: container.resolve(TOKENS.eventLog),
    upstream: container.resolve(TOKENS.upstream),
    stages: container.resolve(TOKENS.ingestStages),
    plugins: container.isRegistered(TOKENS.plugins, true) ? container.resolveAll(TOKENS.plugins) : [],
    subscribe: container.resolve(TOKENS.subscribe),
  });
}
