// tsyringe needs the Reflect metadata polyfill loaded before it is; importing the server is enough.
import 'reflect-metadata';
import { join } from 'node:path';
import { CursorBuffer, openLmdbEventStore, type CursorBufferOptions } from '@jetstream-ts/cursor-buffer';
import { createV1Compressor } from '@jetstream-ts/compression';
import { v1IngestStages } from '@jetstream-ts/ingest';
import {
  countAppended,
  countFrames,
  countSequenced,
  createMetrics,
  MetricsDropReporter,
  timeCommitProcessing,
  type JetstreamMetrics,
} from '@jetstream-ts/metrics';
import type { AppendBatch, LoggedEvent } from '@jetstream-ts/models';
import type { IngestPlugin, JetstreamPlugin, SubscriberPlugin } from '@jetstream-ts/plugins';
import { SubscribeEndpoint, TrustedProxies, type SubscribeEndpointOptions } from '@jetstream-ts/subscribers';
import { relayFrames, type UpstreamStatus } from '@jetstream-ts/upstream';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { container as rootContainer, instanceCachingFactory, type DependencyContainer, type InjectionToken } from 'tsyringe';
import type { ServerConfig } from './server-config.js';
import { JetstreamServer } from './jetstream-server.js';
import { createLogger } from './logger.js';
import { pluginFailureReporter } from './plugin-failure-reporter.js';
import { ServerHealth } from './server-health.js';
import { registerStoreSizeGauge } from './store-size-gauge.js';
import { TOKENS } from './tokens.js';
import { logUpstreamStatus } from './upstream-status-log.js';
import { countUpstreamStatus } from './upstream-status-metrics.js';

/**
 * A child container with the server's defaults: pino logs to stdout (`config.log`: level, JSON
 * or pretty), a prom-client registry with the default process metrics and the v1 metrics, a
 * drop reporter counting into them, the lmdb event store under `<data-dir>/events` behind a
 * cursor buffer (its in-memory tail one event on a `--workers` primary, see `eventLogOptions`;
 * and its size gauge), the readiness (`TOKENS.health`), the relay source (its
 * status logged, counted and fed to the readiness), the v1 ingest stages, the `/subscribe`
 * endpoint, and four plugins, the v1 metrics taps (`timeCommitProcessing` and `countFrames` at
 * `frames`, `countSequenced` at `sequenced`, `countAppended` at `committed`).
 * Every factory resolves what it needs, the config included, from the container, so registering
 * over a token (tests register an in-memory store) changes every part that uses it. Register
 * `TOKENS.plugins` any number of times to add plugins after the defaults.
 *
 * @example
 * import { createServerContainer, resolveJetstreamServer, serverConfig, TOKENS } from '@jetstream-ts/server';
 * import { filter } from 'rxjs';
 *
 * const container = createServerContainer(serverConfig({ dataDir: '/tmp/jetstream' }));
 * container.register(TOKENS.plugins, {
 *   useValue: { name: 'no-likes', stage: 'events', operator: filter((e) => e.kind !== 'commit' || e.commit.collection !== 'app.bsky.feed.like') },
 * });
 * const server = resolveJetstreamServer(container);
 *
 * @param config The configuration.
 * @param parent The container to derive from (the global one by default).
 * @return The container.
 */
export function createServerContainer(config: ServerConfig, parent: DependencyContainer = rootContainer): DependencyContainer {
  const container = parent.createChildContainer();
  const once = <T>(factory: (c: DependencyContainer) => T) => ({ useFactory: instanceCachingFactory(factory) });
  container.register(TOKENS.config, { useValue: config });
  container.register(TOKENS.logger, once((c) => createLogger(c.resolve(TOKENS.config).log)));
  container.register(
    TOKENS.registry,
    once(() => {
      const registry = new Registry();
      collectDefaultMetrics({ register: registry });
      return registry;
    }),
  );
  container.register(TOKENS.metrics, once((c) => createMetrics(c.resolve(TOKENS.registry), { socketUrl: c.resolve(TOKENS.config).wsUrl })));
  container.register(TOKENS.drops, once((c) => new MetricsDropReporter(c.resolve(TOKENS.metrics).droppedInput, c.resolve(TOKENS.logger))));
  container.register(TOKENS.pluginFailures, once((c) => pluginFailureReporter(c.resolve(TOKENS.registry), c.resolve(TOKENS.logger))));
  container.register(TOKENS.ingestStages, once((c) => v1IngestStages({ compressor: createV1Compressor(), drops: c.resolve(TOKENS.drops) })));
  container.register(
    TOKENS.eventLog,
    once((c) => {
      const path = join(c.resolve(TOKENS.config).dataDir, 'events');
      registerStoreSizeGauge(c.resolve(TOKENS.registry), path);
      return new CursorBuffer(openLmdbEventStore({ path }), eventLogOptions(c.resolve(TOKENS.config)));
    }),
  );
  container.register(TOKENS.subscriberLog, { useFactory: (c) => c.resolve(TOKENS.eventLog) });
  container.register(TOKENS.health, once((c) => new ServerHealth({ livenessTtlMs: c.resolve(TOKENS.config).livenessTtlMs })));
  container.register(
    TOKENS.upstream,
    once((c) => {
      const { wsUrl, livenessTtlMs } = c.resolve(TOKENS.config);
      const statusReaders = [logUpstreamStatus(c.resolve(TOKENS.logger)), countUpstreamStatus(c.resolve(TOKENS.metrics).consumer), c.resolve(TOKENS.health).relayStatus];
      const onStatus = (status: UpstreamStatus) => statusReaders.forEach((read) => read(status));
      return (cursor: () => number | undefined) => relayFrames({ wsUrl, cursor, livenessTtl: livenessTtlMs, onStatus });
    }),
  );
  container.register(
    TOKENS.subscribe,
    once(
      (c) =>
        new SubscribeEndpoint({
          log: c.resolve(TOKENS.subscriberLog),
          ...subscriberLimits(c.resolve(TOKENS.config)),
          ...optional(c, TOKENS.workerSubscribeOptions),
          metrics: c.resolve(TOKENS.metrics).server,
          logger: c.resolve(TOKENS.logger),
          plugins: resolvePlugins(c).filter((plugin): plugin is SubscriberPlugin => plugin.stage === 'subscriber'),
          onPluginFailure: c.resolve(TOKENS.pluginFailures),
        }),
    ),
  );
  // The v1 metrics taps: frames before any other plugin sees them (the processing time of what
  // follows, then the counts), events as sequenced and as committed.
  const tap = (plugin: (metrics: JetstreamMetrics) => JetstreamPlugin) => once((c) => plugin(c.resolve(TOKENS.metrics)));
  container.register(TOKENS.plugins, tap((metrics) => ({ name: 'metrics-timing', stage: 'frames', operator: timeCommitProcessing(metrics) })));
  container.register(TOKENS.plugins, tap((metrics) => ({ name: 'metrics', stage: 'frames', operator: countFrames(metrics) })));
  container.register(TOKENS.plugins, tap((metrics) => ({ name: 'metrics', stage: 'sequenced', operator: countSequenced<LoggedEvent>(metrics) })));
  container.register(TOKENS.plugins, tap((metrics) => ({ name: 'metrics', stage: 'committed', operator: countAppended<AppendBatch>(metrics) })));
  return container;
}

/**
 * Whether this process serves `/subscribe` itself: not so a `--workers` primary, whose workers
 * read the store it writes.
 */
export function servesSubscribers(config: Pick<ServerConfig, 'workers'>): boolean {
  return config.workers <= 1;
}

/**
 * The event log's options: a `--workers` primary keeps a tail of one event, since the tail is
 * there for live readers and it has none; the default 20,000 (~10 s of events with their JSON
 * and zstd) would be garbage for the GC and nothing else.
 */
export function eventLogOptions(config: Pick<ServerConfig, 'workers'>): CursorBufferOptions {
  return servesSubscribers(config) ? {} : { tailCapacity: 1 };
}

/** The registration of `token`, if any. */
function optional<T>(container: DependencyContainer, token: InjectionToken<T>): T | undefined {
  return container.isRegistered(token, true) ? container.resolve(token) : undefined;
}

/** Every registered plugin, in registration order. */
export function resolvePlugins(container: DependencyContainer): JetstreamPlugin[] {
  return container.isRegistered(TOKENS.plugins, true) ? container.resolveAll(TOKENS.plugins) : [];
}

/** The endpoint's limits from the configuration: `--max-sub-rate` per address, connection, inbound and filter limits, trusted proxies. */
function subscriberLimits(config: ServerConfig): Pick<SubscribeEndpointOptions, 'session' | 'limits' | 'trustedProxies' | 'maxClientMessageBytes'> {
  const { clients } = config;
  return {
    session: {
      maxEventsPerSecond: config.maxSubRate,
      maxClientMessagesPerSecond: clients.maxClientMessagesPerSecond,
      maxClientBytesPerSecond: clients.maxClientBytesPerSecond,
      maxFilterBytes: clients.maxFilterBytes,
    },
    limits: { maxConnections: clients.maxConnections, maxConnectionsPerIp: clients.maxConnectionsPerIp },
    trustedProxies: TrustedProxies.parse(clients.trustedProxies.join(',')),
    maxClientMessageBytes: clients.maxClientMessageBytes,
  };
}

/**
 * The server, built from the container's registrations (plugins: every registration, in order;
 * `/subscribe`: `TOKENS.subscribe`, unless `--workers` serve it).
 *
 * @param container A container from {@link createServerContainer}.
 * @return The server, not started.
 */
export function resolveJetstreamServer(container: DependencyContainer): JetstreamServer {
  const config = container.resolve(TOKENS.config);
  return new JetstreamServer({
    cluster: container.isRegistered(TOKENS.cluster, true) ? container.resolve(TOKENS.cluster) : undefined,
    config,
    logger: container.resolve(TOKENS.logger),
    registry: container.resolve(TOKENS.registry),
    log: container.resolve(TOKENS.eventLog),
    upstream: container.resolve(TOKENS.upstream),
    stages: container.resolve(TOKENS.ingestStages),
    plugins: resolvePlugins(container).filter((plugin): plugin is IngestPlugin => plugin.stage !== 'subscriber'),
    onPluginFailure: container.resolve(TOKENS.pluginFailures),
    // A --workers primary builds no /subscribe endpoint: its workers serve every subscriber.
    subscribe: servesSubscribers(config) ? container.resolve(TOKENS.subscribe) : undefined,
    health: container.resolve(TOKENS.health),
    publicListener: optional(container, TOKENS.publicListener),
    metricsSource: optional(container, TOKENS.metricsSource),
  });
}
