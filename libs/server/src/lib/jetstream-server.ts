import { expireEvents, type CursorBuffer } from '@jetstream-ts/cursor-buffer';
import { ingestFrames, IngestProgress, type IngestStages, type SkippedFrame } from '@jetstream-ts/ingest';
import type { IngestPlugin, PluginFailureHandler } from '@jetstream-ts/plugins';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Subject, takeUntil, tap, type Subscription } from 'rxjs';
import type { ServerConfig } from './server-config.js';
import { startHttpListener, type HttpListener, type PublicListenerFactory } from './http-listener.js';
import { metricsRoutes, type MetricsSource } from './metrics-routes.js';
import { publicRoutes, type SubscribeHandler } from './public-routes.js';
import type { ClusterRole } from './cluster-role.js';
import { ServerHealth } from './server-health.js';
import type { UpstreamSource } from './tokens.js';

export interface JetstreamServerParts {
  config: ServerConfig;
  logger: Logger;
  registry: Registry;
  log: CursorBuffer;
  upstream: UpstreamSource;
  stages: IngestStages;
  /** The ingest-stage plugins, in order (the metrics taps among them). */
  plugins: readonly IngestPlugin[];
  onPluginFailure?: PluginFailureHandler;
  subscribe?: SubscribeHandler;
  /** Readiness, fed here by each frame and the lifecycle; give the same one to the relay source's `onStatus`. */
  health?: ServerHealth;
  /** Serves the public routes; default an HTTP listener in this process (`--workers`: the worker pool). */
  publicListener?: PublicListenerFactory;
  /** What `/metrics` serves; default `registry` (`--workers`: merged with the workers'). */
  metricsSource?: MetricsSource;
  /** This process's part in a NATS cluster (`registerClusterRole`); absent: one process on its own store. */
  cluster?: ClusterRole;
}

/** v1 waits 10 s for everything at shutdown; we keep the total under that. */
const DRAIN_TIMEOUT_MS = 5_000;
const LISTENER_GRACE_MS = 3_000;

/**
 * The running server: ingest (relay → store), retention, the public listener and the metrics
 * listener. `start()` brings them up; `stop()` stops reading the relay, commits what was read
 * (events and relay cursor), closes the listeners and the store. `failed` rejects if ingestion
 * fails (the store is unusable): the process should then stop and exit non-zero.
 */
export class JetstreamServer {
  readonly #parts: JetstreamServerParts;
  readonly #stopReading = new Subject<void>();
  readonly #subscriptions: Subscription[] = [];
  readonly #listeners: Array<Pick<HttpListener, 'close'>> = [];
  #drained: Promise<void> = Promise.resolve();
  #failed!: (error: unknown) => void;
  #stopping: Promise<void> | undefined;
  #replicationError: string | undefined;
  /** What `/readyz` answers. */
  readonly health: ServerHealth;
  /** Rejects when ingestion fails; never resolves otherwise. */
  readonly failed: Promise<never>;
  /** The public listener's address once started. */
  publicAddress?: HttpListener['address'];
  /** The metrics listener's address once started. */
  metricsAddress?: HttpListener['address'];

  constructor(parts: JetstreamServerParts) {
    this.#parts = parts;
    this.health = parts.health ?? new ServerHealth({ livenessTtlMs: parts.config.livenessTtlMs });
    this.failed = new Promise<never>((_, reject) => (this.#failed = reject));
    // Callers that never await `failed` must not see an unhandled rejection.
    this.failed.catch(() => undefined);
  }

  /** Starts listening and ingesting; on failure, whatever started is stopped again before it rejects. */
  async start(): Promise<void> {
    try {
      await this.#start();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async #start(): Promise<void> {
    const { config, logger, registry, log } = this.#parts;
    const role = this.#parts.cluster?.role ?? 'all';
    const metrics = await startHttpListener(config.metricsListenAddr, { request: metricsRoutes(this.#parts.metricsSource ?? registry, () => this.#notReadyReason()) });
    this.#listeners.push(metrics);
    this.metricsAddress = metrics.address;
    // An ingester keeps no store: its /subscribe is a 404 (clients go to the edges).
    const main = await (this.#parts.publicListener ?? startHttpListener)(config.listenAddr, publicRoutes(role === 'ingest' ? undefined : this.#parts.subscribe));
    this.#listeners.push(main);
    this.publicAddress = main.address;
    if (role !== 'edge') this.#startIngest();
    this.#startReplication();
    this.#subscriptions.push(
      expireEvents(log, { ttlMs: config.eventTtlMs, intervalMs: config.livenessTtlMs }).subscribe({
        next: (deleted) => {
          if (deleted > 0) logger.info({ deleted, ttlMs: config.eventTtlMs }, 'trimmed events older than the TTL');
        },
        error: (error: unknown) => logger.error({ err: error }, 'trimming failed'),
      }),
    );
    logger.info(
      {
        listen: `${main.address.address}:${main.address.port}`,
        metrics: `${metrics.address.address}:${metrics.address.port}`,
        ...(role === 'edge' ? {} : { relay: config.wsUrl }),
        ...(this.#parts.cluster === undefined ? {} : { role }),
      },
      'jetstream server started',
    );
  }

  #startIngest(): void {
    const { config, logger, upstream, stages, plugins, onPluginFailure } = this.#parts;
    const log = this.#parts.cluster?.publisher ?? this.#parts.log;
    const startCursor = config.overrideRelayCursor >= 0 ? config.overrideRelayCursor : log.relayCursor();
    const progress = new IngestProgress(startCursor);
    logger.info({ relayCursor: startCursor ?? null, headTimeUs: log.headTimeUs() }, 'resuming ingest');
    this.health.ingestRunning(true);
    this.#drained = new Promise<void>((resolve) => {
      const subscription = upstream(() => progress.resumeCursor())
        .pipe(
          tap(() => this.health.frameReceived()),
          takeUntil(this.#stopReading),
          ingestFrames({ log, stages, plugins, onPluginFailure, progress, onWarning: (message) => logger.warn(message), onSkippedFrame: logSkippedFrame(logger) }),
        )
        .subscribe({
          error: (error: unknown) => {
            this.health.ingestFailed(error);
            logger.fatal({ err: error }, 'ingest failed');
            this.#failed(error);
            resolve();
          },
          complete: () => {
            logger.info({ relayCursor: progress.committed ?? null }, 'ingest stopped, relay cursor committed');
            resolve();
          },
        });
      this.#subscriptions.push(subscription);
    });
  }

  /** An edge's copy of the NATS stream into its store; a failure ends the server as a failed ingest does. */
  #startReplication(): void {
    const { logger, cluster } = this.#parts;
    if (cluster?.replication === undefined) return;
    this.#subscriptions.push(
      cluster.replication.subscribe({
        error: (error: unknown) => {
          this.#replicationError = error instanceof Error ? error.message : String(error);
          logger.fatal({ err: error }, 'replication from NATS failed');
          this.#failed(error);
        },
      }),
    );
  }

  /** The relay side's reason (on an edge, which has no relay: only the workers'), then NATS's. */
  #notReadyReason(): string | undefined {
    const { cluster } = this.#parts;
    if (this.#replicationError !== undefined) return `replication from NATS failed: ${this.#replicationError}`;
    const nats = cluster === undefined || cluster.natsState() === 'connected' ? undefined : `NATS ${cluster.natsState()}`;
    if (cluster?.role === 'edge') return this.#stopping === undefined ? (this.health.workersNotReadyReason() ?? nats) : 'stopping';
    return this.health.notReadyReason() ?? nats;
  }

  /** Stops everything in order; safe to call more than once. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const { logger, log } = this.#parts;
    this.health.ingestRunning(false);
    this.#stopReading.next();
    const drained = await Promise.race([this.#drained.then(() => true), delay(DRAIN_TIMEOUT_MS).then(() => false)]);
    if (!drained) logger.error({ timeoutMs: DRAIN_TIMEOUT_MS }, 'ingest did not drain in time; uncommitted frames will be re-read from the relay');
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
    await this.#parts.subscribe?.close();
    await Promise.all(this.#listeners.map((listener) => listener.close(LISTENER_GRACE_MS)));
    await log.close();
    await this.#parts.cluster?.close();
    logger.info('jetstream server stopped');
  }
}

/**
 * Every undecodable relay frame is an error line naming where it was (its events, if any, are
 * not in the store; it is also counted in `jetstream_dropped_input_total{stage="frame",reason="invalid-frame"}`).
 */
function logSkippedFrame(logger: Logger): (skipped: SkippedFrame) => void {
  return (skipped) =>
    logger.error(
      { afterSeq: skipped.afterSeq ?? null, bytes: skipped.bytes, reason: skipped.reason },
      'skipped an undecodable relay frame: its events (if any) are lost; it came after relay seq afterSeq',
    );
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
