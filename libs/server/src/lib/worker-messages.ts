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
  /** Primary → a worker: close your subscribers, then exit 0. */
  | { jetstream: 'stop' };

/** Whether `message` (anything the IPC channel delivered) is one of ours. */
export function isWorkerMessage(message: unknown): message is WorkerMessage {
  return typeof message === 'object' && message !== null && typeof (message as { jetstream?: unknown }).jetstream === 'string';
}
