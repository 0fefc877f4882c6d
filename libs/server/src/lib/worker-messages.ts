import type { Refusal } from '@jetstream-ts/subscribers';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';

/** What the primary and its subscriber workers say over the cluster IPC channel (`--workers`). */
export type WorkerMessage =
  /** Primary → workers, after each committed append: the new head `time_us`. */
  | { jetstream: 'head'; timeUs: number }
  /** Primary → a worker: send your metrics. */
  | { jetstream: 'metrics-request'; id: number }
  /** Worker → primary: its registry as `getMetricsAsJSON()`, for `AggregatorRegistry.aggregate`. */
  | { jetstream: 'metrics'; id: number; metrics: MetricObjectWithValues<MetricValue<string>>[] }
  /** Worker → primary: ready for connections. */
  | { jetstream: 'ready' }
  /** Primary → a worker, with an accepted socket as the handle: serve it. */
  | { jetstream: 'connection' }
  /** Worker → primary: may one more connection from `ipAddress` (trusted proxies resolved) open, under the pool's limits? */
  | { jetstream: 'admit'; id: number; ipAddress: string }
  /** Primary → the worker that asked: counted (no refusal), or refused with the 429/503 one process would answer. */
  | { jetstream: 'admitted'; id: number; refusal?: Refusal }
  /** Worker → primary: a connection the primary admitted has closed. */
  | { jetstream: 'release'; ipAddress: string }
  /** Primary → a worker: close your subscribers, then exit 0. */
  | { jetstream: 'stop' };

/** Whether `message` (anything the IPC channel delivered) is one of ours. */
export function isWorkerMessage(message: unknown): message is WorkerMessage {
  return typeof message === 'object' && message !== null && typeof (message as { jetstream?: unknown }).jetstream === 'string';
}
