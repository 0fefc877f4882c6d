import { join } from 'node:path';
import { CursorBuffer, openLmdbEventStore } from '@jetstream-ts/cursor-buffer';
import type { DropReporter } from '@jetstream-ts/models';
import { relayFrames } from '@jetstream-ts/upstream';
import { pino, type Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { container as rootContainer, instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import type { ServerConfig } from './config.js';
import { JetstreamServer } from './jetstream-server.js';
import { TOKENS } from './tokens.js';
import { logUpstreamStatus } from './upstream-status-log.js';

/**
 * A child container with the server's defaults: pino JSON logs to stdout, a prom-client
 * registry with the default process metrics, the lmdb event store under `<data-dir>/events`
 * behind a cursor buffer, and the relay source. Register over any token before
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
  container.register(TOKENS.drops, { useFactory: instanceCachingFactory((c) => loggingDropReporter(c.resolve(TOKENS.logger))) });
  container.register(TOKENS.eventLog, {
    useFactory: instanceCachingFactory(() => new CursorBuffer(openLmdbEventStore({ path: join(config.dataDir, 'events') }))),
  });
  container.register(TOKENS.upstream, {
    useFactory: instanceCachingFactory((c) => {
      const onStatus = logUpstreamStatus(c.resolve(TOKENS.logger));
      return (cursor: () => number | undefined) => relayFrames({ wsUrl: config.wsUrl, cursor, livenessTtl: config.livenessTtlMs, onStatus });
    }),
  });
  return container;
}

/**
 * The server, built from the container's registrations (plugins: every registration, in order).
 *
 * @param container A container from {@link createServerContainer}, with `ingestStages` registered.
 * @return The server, not started.
 */
export function resolveJetstreamServer(container: DependencyContainer): JetstreamServer {
  return new JetstreamServer({
    config: container.resolve(TOKENS.config),
    logger: container.resolve(TOKENS.logger),
    registry: container.resolve(TOKENS.registry),
    log: container.resolve(TOKENS.eventLog),
    upstream: container.resolve(TOKENS.upstream),
    stages: container.resolve(TOKENS.ingestStages),
    plugins: container.isRegistered(TOKENS.plugins, true) ? container.resolveAll(TOKENS.plugins) : [],
    ...(container.isRegistered(TOKENS.subscribe, true) ? { subscribe: container.resolve(TOKENS.subscribe) } : {}),
  });
}

/** Logs the first drop of each stage and reason (then counts silently). Replaced by the metrics library's reporter. */
function loggingDropReporter(logger: Logger): DropReporter {
  const seen = new Set<string>();
  return {
    drop: (report) => {
      const key = `${report.stage}/${report.reason}`;
      if (seen.has(key)) return;
      seen.add(key);
      logger.warn(report, 'dropped input (first of its kind; later ones are not logged)');
    },
  };
}
