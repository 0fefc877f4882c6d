import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { EventLog } from '@jetstream-ts/models';
import type { ConnectionLimits } from '@jetstream-ts/subscribers';
import type { Logger } from 'pino';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import type { DependencyContainer } from 'tsyringe';
import type { HttpListener } from './http-listener.js';
import type { ListenAddress } from './listen-address.js';
import type { MetricsSource } from './metrics-routes.js';
import { PoolConnectionLimits } from './pool-connection-limits.js';
import type { ServerHealth } from './server-health.js';
import { TOKENS } from './tokens.js';
import { isWorkerMessage, type WorkerMessage } from './worker-messages.js';

export interface WorkerPoolOptions {
  /** How many subscriber workers to keep running. */
  workers: number;
  /** The primary's log: each `appended` head is announced to every worker. */
  log: Pick<EventLog, 'appended'>;
  /** The primary's registry (ingest metrics), merged with the workers' (subscriber metrics) on `/metrics`. */
  registry: Registry;
  logger: Logger;
  /** `--max-connections` and `--max-connections-per-ip`, counted here for all workers together. */
  limits: ConnectionLimits;
  /** Told how many workers are ready at each change, for `/readyz`. */
  health?: Pick<ServerHealth, 'workersReady'>;
}

/** A worker that does not answer a metrics request within this long is left out of that scrape. */
const METRICS_TIMEOUT_MS = 2_000;
/** A worker that dies sooner than this after it started is replaced after {@link RESTART_DELAY_MS}, so a crash loop does not spin. */
const STABLE_AFTER_MS = 5_000;
const RESTART_DELAY_MS = 1_000;

/**
 * `--workers N` on the primary: forks N subscriber workers (this same program, see
 * `runSubscriberWorker`, with `node:cluster`) that serve the public routes. The primary listens
 * and hands each accepted socket to the next worker in turn, over the IPC channel (a cost per
 * connection, none per message; exactly even, where `node:cluster`'s own round-robin gives the
 * next connection to whichever worker acknowledged the last one first, and split a burst of 300
 * connections 101/199 on a loaded machine). Each committed
 * head is announced to every worker over the IPC channel (a few dozen small messages a second),
 * and the workers read the new events from the shared lmdb store. A worker that dies is logged
 * and replaced; until the replacement is ready `/readyz` says `workers: 1/2 ready`. The
 * connection limits are counted here for the pool ({@link PoolConnectionLimits}): a worker asks
 * before each upgrade. `/metrics` on the primary sums the primary's registry and every worker's
 * (`AggregatorRegistry.aggregate`: counters and histograms add up, as one process would count;
 * subscriber ids carry their worker's id, so per-subscriber series stay apart).
 *
 * @example
 * import { WorkerPool, metricsRoutes, startHttpListener } from '@jetstream-ts/server';
 *
 * // log: the primary's CursorBuffer; registry: a prom-client Registry; logger: from createLogger()
 * const pool = new WorkerPool({ workers: 4, log, registry, logger, limits: { maxConnections: 10_000, maxConnectionsPerIp: 100 } });
 * const listener = await pool.listen({ port: 6008 }); // resolves once every worker listens
 * startHttpListener({ port: 6009 }, { request: metricsRoutes(pool.metrics, () => undefined) });
 * await listener.close(3_000); // stops the workers
 */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  /** Each running worker: when it was forked, and whether it is ready (and so answers messages). */
  readonly #workers = new Map<Worker, { startedAt: number; ready: boolean }>();
  #server: Server | undefined;
  /** Whose turn the next connection is. */
  #turn = 0;
  readonly #pendingMetrics = new Map<number, (metrics: WorkerMessage & { jetstream: 'metrics' }) => void>();
  #nextRequestId = 0;
  #announcements: Subscription | undefined;
  #stopping = false;
  readonly #limits: PoolConnectionLimits<Worker>;
  /** `/metrics`: the primary's metrics and every live worker's, summed. */
  readonly metrics: MetricsSource;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#limits = new PoolConnectionLimits(options.limits);
    this.metrics = { contentType: options.registry.contentType, metrics: () => this.#mergedMetrics() };
  }

  /** Starts the workers, then listens on `address`; resolves once every worker is ready and the port is bound. */
  listen = async (address: ListenAddress): Promise<Pick<HttpListener, 'address' | 'close'>> => {
    cluster.on('message', (worker, message: unknown) => this.#receive(worker, message));
    cluster.on('disconnect', (worker) => this.#disconnected(worker));
    cluster.on('exit', (worker, code, signal) => this.#exited(worker, code, signal));
    this.#reportReady();
    this.#announcements = this.#options.log.appended.subscribe((timeUs) => this.#broadcast({ jetstream: 'head', timeUs }));
    try {
      await Promise.all(Array.from({ length: this.#options.workers }, () => this.#fork()));
      // Paused: nothing is read here, the worker's HTTP server reads it all.
      this.#server = createServer({ pauseOnConnect: true }, (socket) => this.#handOver(socket));
      this.#server.listen(address.port, address.host);
      await once(this.#server, 'listening');
    } catch (error) {
      await this.#close(0);
      throw error;
    }
    const bound = this.#server.address() as AddressInfo;
    this.#options.logger.info({ workers: this.#options.workers, listen: `${bound.address}:${bound.port}` }, 'subscriber workers listening');
    return { address: bound, close: (graceMs) => this.#close(graceMs) };
  };

  #handOver(socket: Socket): void {
    const serving = this.#serving();
    if (serving.length === 0) {
      socket.destroy();
      return;
    }
    const worker = serving[this.#turn++ % serving.length];
    worker.send({ jetstream: 'connection' } satisfies WorkerMessage, socket, (error) => {
      if (error) socket.destroy();
    });
  }

  #fork(): Promise<void> {
    const worker = cluster.fork();
    const state = { startedAt: Date.now(), ready: false };
    this.#workers.set(worker, state);
    // A send to a worker that died before its exit was seen fails with EPIPE, emitted here: an
    // unhandled 'error' would take the primary (and every other worker's subscribers) down.
    worker.on('error', (error: Error) => this.#options.logger.warn({ worker: worker.id, err: error.message }, 'subscriber worker channel error'));
    return new Promise((resolve, reject) => {
      const onMessage = (message: unknown) => {
        if (!isWorkerMessage(message) || message.jetstream !== 'ready') return;
        state.ready = true;
        worker.off('message', onMessage);
        this.#reportReady();
        resolve();
      };
      worker.on('message', onMessage);
      worker.once('exit', (code, signal) => reject(new Error(`subscriber worker ${worker.id} exited before it was ready (${signal ?? code})`)));
    });
  }

  #exited(worker: Worker, code: number, signal: string | null): void {
    const startedAt = this.#workers.get(worker)?.startedAt ?? 0;
    this.#workers.delete(worker);
    this.#limits.releaseAll(worker);
    this.#reportReady();
    if (this.#stopping) return;
    const delayMs = Date.now() - startedAt < STABLE_AFTER_MS ? RESTART_DELAY_MS : 0;
    this.#options.logger.error({ worker: worker.id, pid: worker.process.pid, code, signal, restartInMs: delayMs }, 'subscriber worker died; starting another');
    setTimeout(() => {
      if (this.#stopping) return;
      this.#fork().then(
        () => this.#options.logger.info('subscriber worker restarted'),
        (error: unknown) => this.#options.logger.error({ err: error }, 'a restarted subscriber worker failed to start'),
      );
    }, delayMs).unref();
  }

  /** Its channel closed: it serves no more (it exits next). */
  #disconnected(worker: Worker): void {
    const state = this.#workers.get(worker);
    if (state === undefined) return;
    state.ready = false;
    this.#reportReady();
  }

  #reportReady(): void {
    const ready = [...this.#workers.values()].filter((state) => state.ready).length;
    this.#options.health?.workersReady(ready, this.#options.workers);
  }

  /** The workers that are ready and connected: they have their message handlers. */
  #serving(): Worker[] {
    return [...this.#workers].filter(([worker, state]) => state.ready && worker.isConnected()).map(([worker]) => worker);
  }

  #broadcast(message: WorkerMessage): void {
    // A worker not ready yet reads the head itself when it opens the store.
    for (const worker of this.#serving()) worker.send(message);
  }

  #receive(worker: Worker, message: unknown): void {
    if (!isWorkerMessage(message)) return;
    if (message.jetstream === 'metrics') this.#pendingMetrics.get(message.id)?.(message);
    // A worker whose channel closed holds nothing: it is counted no more.
    else if (message.jetstream === 'admit' && worker.isConnected()) {
      const refusal = this.#limits.admit(worker, message.ipAddress);
      worker.send({ jetstream: 'admitted', id: message.id, refusal } satisfies WorkerMessage);
    } else if (message.jetstream === 'release') this.#limits.release(worker, message.ipAddress);
  }

  async #mergedMetrics(): Promise<string> {
    const answers = await Promise.all(this.#serving().map((worker) => this.#workerMetrics(worker)));
    const own = await this.#options.registry.getMetricsAsJSON();
    return AggregatorRegistry.aggregate([own, ...answers.filter((metrics) => metrics !== undefined)]).metrics();
  }

  #workerMetrics(worker: Worker): Promise<unknown[] | undefined> {
    const id = this.#nextRequestId++;
    return new Promise((resolve) => {
      const timeout = setTimeout(() => {
        this.#pendingMetrics.delete(id);
        this.#options.logger.warn({ worker: worker.id, timeoutMs: METRICS_TIMEOUT_MS }, 'subscriber worker did not send its metrics in time; left out of this scrape');
        resolve(undefined);
      }, METRICS_TIMEOUT_MS);
      this.#pendingMetrics.set(id, (answer) => {
        clearTimeout(timeout);
        this.#pendingMetrics.delete(id);
        resolve(answer.metrics);
      });
      worker.send({ jetstream: 'metrics-request', id } satisfies WorkerMessage);
    });
  }

  /** Stops accepting, asks every worker to close its subscribers and exit; kills those still running after `graceMs`. */
  async #close(graceMs = 3_000): Promise<void> {
    this.#stopping = true;
    this.#announcements?.unsubscribe();
    this.#server?.close();
    await Promise.all(
      [...this.#workers.keys()].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            const kill = setTimeout(() => worker.process.kill('SIGKILL'), graceMs);
            worker.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            if (worker.isConnected()) worker.send({ jetstream: 'stop' } satisfies WorkerMessage);
            else worker.process.kill('SIGTERM');
          }),
      ),
    );
  }
}

/**
 * With `config.workers` > 1, registers a {@link WorkerPool} as the server's public listener and
 * its merged metrics as `/metrics` (`TOKENS.publicListener`, `TOKENS.metricsSource`); with 1 it
 * does nothing (one process serves everything). The workers read the lmdb store under
 * `<data-dir>/events` that this process writes (`TOKENS.eventLog`).
 *
 * @example
 * import { createServerContainer, registerWorkerPool, resolveJetstreamServer } from '@jetstream-ts/server';
 *
 * // config: a ServerConfig
 * const container = createServerContainer(config);
 * registerWorkerPool(container);
 * const server = resolveJetstreamServer(container);
 *
 * @param container A container from `createServerContainer`.
 */
export function registerWorkerPool(container: DependencyContainer): void {
  const config = container.resolve(TOKENS.config);
  if (config.workers <= 1) return;
  const pool = new WorkerPool({
    workers: config.workers,
    log: container.resolve(TOKENS.eventLog),
    registry: container.resolve(TOKENS.registry),
    logger: container.resolve(TOKENS.logger),
    limits: { maxConnections: config.clients.maxConnections, maxConnectionsPerIp: config.clients.maxConnectionsPerIp },
    health: container.resolve(TOKENS.health),
  });
  container.register(TOKENS.publicListener, { useValue: pool.listen });
  container.register(TOKENS.metricsSource, { useValue: pool.metrics });
}
