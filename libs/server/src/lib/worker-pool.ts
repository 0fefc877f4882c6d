import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import type { EventLog } from '@jetstream-ts/models';
import type { Logger } from 'pino';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import type { DependencyContainer } from 'tsyringe';
import type { HttpListener } from './http-listener.js';
import type { MetricsSource } from './metrics-routes.js';
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
}

/** A worker that does not answer a metrics request within this long is left out of that scrape. */
const METRICS_TIMEOUT_MS = 2_000;
/** A worker that dies sooner than this after it started is replaced after {@link RESTART_DELAY_MS}, so a crash loop does not spin. */
const STABLE_AFTER_MS = 5_000;
const RESTART_DELAY_MS = 1_000;

/**
 * `--workers N` on the primary: forks N subscriber workers (this same program, see
 * `runSubscriberWorker`) that serve the public listener, with connections spread round-robin by
 * `node:cluster` (the primary accepts, each connection goes to the next worker). Each committed
 * head is announced to every worker over the IPC channel (a few dozen small messages a second),
 * and the workers read the new events from the shared lmdb store. A worker that dies is logged
 * and replaced. `/metrics` on the primary sums the primary's registry and every worker's
 * (`AggregatorRegistry.aggregate`: counters and histograms add up, as one process would count).
 *
 * @example
 * const pool = new WorkerPool({ workers: 4, log, registry, logger });
 * const listener = await pool.listen({ port: 6008 }); // resolves once every worker listens
 * startHttpListener({ port: 6009 }, { request: metricsRoutes(pool.metrics, () => undefined) });
 * await listener.close(3_000); // stops the workers
 */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  /** Each running worker: when it was forked, and whether it listens yet (and so answers messages). */
  readonly #workers = new Map<Worker, { startedAt: number; listening: boolean }>();
  readonly #pendingMetrics = new Map<number, (metrics: WorkerMessage & { jetstream: 'metrics' }) => void>();
  #nextRequestId = 0;
  #announcements: Subscription | undefined;
  #stopping = false;
  /** `/metrics`: the primary's metrics and every live worker's, summed. */
  readonly metrics: MetricsSource;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.metrics = { contentType: options.registry.contentType, metrics: () => this.#mergedMetrics() };
  }

  /**
   * Starts the workers; resolves with the address they share once every one listens (the
   * workers take the address from their own configuration, the same command line).
   */
  listen = async (): Promise<Pick<HttpListener, 'address' | 'close'>> => {
    cluster.on('message', (_worker, message: unknown) => this.#receive(message));
    cluster.on('exit', (worker, code, signal) => this.#exited(worker, code, signal));
    this.#announcements = this.#options.log.appended.subscribe((timeUs) => this.#broadcast({ jetstream: 'head', timeUs }));
    let address: AddressInfo;
    try {
      [address] = await Promise.all(Array.from({ length: this.#options.workers }, () => this.#fork()));
    } catch (error) {
      await this.#close(0);
      throw error;
    }
    this.#options.logger.info({ workers: this.#options.workers, listen: `${address.address}:${address.port}` }, 'subscriber workers listening');
    return { address, close: (graceMs) => this.#close(graceMs) };
  };

  #fork(): Promise<AddressInfo> {
    const worker = cluster.fork();
    const state = { startedAt: Date.now(), listening: false };
    this.#workers.set(worker, state);
    return new Promise((resolve, reject) => {
      worker.once('listening', (address) => {
        state.listening = true;
        resolve({ address: address.address, port: address.port, family: address.addressType === 6 ? 'IPv6' : 'IPv4' });
      });
      worker.once('exit', (code, signal) => reject(new Error(`subscriber worker ${worker.id} exited before it listened (${signal ?? code})`)));
    });
  }

  #exited(worker: Worker, code: number, signal: string | null): void {
    const startedAt = this.#workers.get(worker)?.startedAt ?? 0;
    this.#workers.delete(worker);
    if (this.#stopping) return;
    const delayMs = Date.now() - startedAt < STABLE_AFTER_MS ? RESTART_DELAY_MS : 0;
    this.#options.logger.error({ worker: worker.id, pid: worker.process.pid, code, signal, restartInMs: delayMs }, 'subscriber worker died; starting another');
    setTimeout(() => {
      if (this.#stopping) return;
      this.#fork().then(
        (address) => this.#options.logger.info({ listen: `${address.address}:${address.port}` }, 'subscriber worker restarted'),
        (error: unknown) => this.#options.logger.error({ err: error }, 'a restarted subscriber worker failed to listen'),
      );
    }, delayMs).unref();
  }

  /** The workers that listen and are connected: they have their message handlers. */
  #serving(): Worker[] {
    return [...this.#workers].filter(([worker, state]) => state.listening && worker.isConnected()).map(([worker]) => worker);
  }

  #broadcast(message: WorkerMessage): void {
    // A worker not listening yet reads the head itself when it opens the store.
    for (const worker of this.#serving()) worker.send(message);
  }

  #receive(message: unknown): void {
    if (isWorkerMessage(message) && message.jetstream === 'metrics') this.#pendingMetrics.get(message.id)?.(message);
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

  /** Asks every worker to close its subscribers and exit; kills those still running after `graceMs`. */
  async #close(graceMs = 3_000): Promise<void> {
    this.#stopping = true;
    this.#announcements?.unsubscribe();
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
  });
  container.register(TOKENS.publicListener, { useValue: pool.listen });
  container.register(TOKENS.metricsSource, { useValue: pool.metrics });
}
