import type { CursorBuffer } from '@jetstream-ts/cursor-buffer';
import type { IngestStages } from '@jetstream-ts/ingest';
import type { JetstreamMetrics } from '@jetstream-ts/metrics';
import type { DropReporter, EventLog } from '@jetstream-ts/models';
import type { JetstreamPlugin, PluginFailureHandler } from '@jetstream-ts/plugins';
import type { SubscribeEndpointOptions } from '@jetstream-ts/subscribers';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Observable } from 'rxjs';
import type { InjectionToken } from 'tsyringe';
import type { ClusterRole } from './cluster-role.js';
import type { ServerConfig } from './server-config.js';
import type { PublicListenerFactory } from './http-listener.js';
import type { MetricsSource } from './metrics-routes.js';
import type { SubscribeHandler } from './public-routes.js';
import type { ServerHealth } from './server-health.js';

/** The relay's frames, resuming each connection from `cursor()`. */
export type UpstreamSource = (cursor: () => number | undefined) => Observable<Uint8Array>;

/**
 * The server's dependency-injection tokens. `createServerContainer` registers a default for
 * each; a custom relay registers its own over them (the last registration wins) and adds
 * `plugins` (registered any number of times, all used, in registration order; the defaults are
 * the metrics taps, registered first).
 */
export const TOKENS = {
  config: Symbol('config') as InjectionToken<ServerConfig>,
  logger: Symbol('logger') as InjectionToken<Logger>,
  registry: Symbol('registry') as InjectionToken<Registry>,
  metrics: Symbol('metrics') as InjectionToken<JetstreamMetrics>,
  drops: Symbol('drops') as InjectionToken<DropReporter>,
  eventLog: Symbol('eventLog') as InjectionToken<CursorBuffer>,
  /** What `/subscribe` reads; by default `eventLog` (a `--workers` process: the shared store, see `runSubscriberWorker`). */
  subscriberLog: Symbol('subscriberLog') as InjectionToken<EventLog>,
  upstream: Symbol('upstream') as InjectionToken<UpstreamSource>,
  ingestStages: Symbol('ingestStages') as InjectionToken<IngestStages>,
  plugins: Symbol('plugins') as InjectionToken<JetstreamPlugin>,
  pluginFailures: Symbol('pluginFailures') as InjectionToken<PluginFailureHandler>,
  subscribe: Symbol('subscribe') as InjectionToken<SubscribeHandler>,
  /** Readiness (`/readyz`): the server and the relay source's `onStatus` feed the same one. */
  health: Symbol('health') as InjectionToken<ServerHealth>,
  /** Optional: serves the public routes instead of an HTTP listener in this process (`registerWorkerPool`). */
  publicListener: Symbol('publicListener') as InjectionToken<PublicListenerFactory>,
  /** Optional: what `/metrics` serves instead of `registry` (`registerWorkerPool`: merged with the workers'). */
  metricsSource: Symbol('metricsSource') as InjectionToken<MetricsSource>,
  /** Optional, registered by `runSubscriberWorker`: what a worker's `/subscribe` shares with its pool (`workerSubscribeOptions`). */
  workerSubscribeOptions: Symbol('workerSubscribeOptions') as InjectionToken<Pick<SubscribeEndpointOptions, 'sharedLimits' | 'subscriberIdPrefix'>>,
  /** Registered by `registerClusterRole` with `--nats-url`: ingest to and/or serve from the NATS stream. */
  cluster: Symbol('cluster') as InjectionToken<ClusterRole>,
};
