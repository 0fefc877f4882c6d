import { Gauge, type Registry } from 'prom-client';

export const EDGE_LAG_METRIC_NAMES = Object.freeze({
  events: 'jetstream_edge_lag_events',
  seconds: 'jetstream_edge_lag_seconds',
});

/**
 * How far an edge is behind the event stream, updated with every message it reads: the events
 * the stream holds beyond it, and how long ago the message it is at was stored (0 once nothing is
 * pending). Both are what JetStream reports with each delivered message, so reading them costs nothing.
 *
 * @example
 * import { EdgeLag, jetStreamEvents, registerEdgeLagMetrics } from '@jetstream-ts/nats';
 *
 * // connection, jsm: from connectNats(); stream: eventStreamConfig(); log: a CursorBuffer; registry: prom-client's
 * const lag = new EdgeLag();
 * jetStreamEvents({ connection, jsm, stream, afterTimeUs: () => log.headTimeUs(), lag }).subscribe();
 * registerEdgeLagMetrics(registry, lag);
 */
export class EdgeLag {
  /** Messages in the stream after the last one read. */
  events = 0;
  seconds = 0;

  constructor(private readonly clockMs: () => number = Date.now) {}

  /**
   * @param pending Messages after this one, as JetStream counted at delivery.
   * @param storedAtMs When JetStream stored this one, Unix ms.
   */
  update(pending: number, storedAtMs: number): void {
    this.events = pending;
    this.seconds = pending === 0 ? 0 : Math.max(0, (this.clockMs() - storedAtMs) / 1000);
  }
}

/**
 * Registers `jetstream_edge_lag_events` and `jetstream_edge_lag_seconds`, read from `lag` at each scrape.
 *
 * @param registry Where to register them.
 * @param lag The edge's lag.
 */
export function registerEdgeLagMetrics(registry: Registry, lag: EdgeLag): void {
  new Gauge({
    name: EDGE_LAG_METRIC_NAMES.events,
    help: 'Events in the NATS stream that this edge has not stored yet',
    registers: [registry],
    collect() {
      this.set(lag.events);
    },
  });
  new Gauge({
    name: EDGE_LAG_METRIC_NAMES.seconds,
    help: 'Age of the stream message this edge is at while it has more to read, seconds (0 when caught up)',
    registers: [registry],
    collect() {
      this.set(lag.seconds);
    },
  });
}
