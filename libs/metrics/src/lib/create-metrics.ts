import { Counter, Gauge, Histogram, exponentialBuckets, type Registry } from 'prom-client';
import { METRIC_NAMES } from './metric-names.js';

export interface MetricsOptions {
  /** The relay URL: the `socket_url` label of every consumer metric (v1). */
  socketUrl: string;
}

/** A counter whose `socket_url` is already set: callers give the other labels. */
export interface ConsumerCounter<L extends string> {
  inc(labels: Record<L, string>, value?: number): void;
}

/** Ingest-side metrics, all labelled with the relay's `socket_url` (bound here). */
export interface ConsumerMetrics {
  /** `event_type`: commit, identity, account or error; one per relay frame. */
  eventsProcessed: ConsumerCounter<'event_type'>;
  /** `kind`: the op action; `op_path`: the op's collection (v1 names). */
  opsProcessed: ConsumerCounter<'kind' | 'op_path'>;
  /** Commits only; buckets 0.1 ms ×2 up to ~13 s (v1). */
  eventProcessingDuration: Histogram.Internal<string>;
  lastSeq: Gauge.Internal<string>;
  /** Unix nanoseconds. */
  lastEvtProcessedAt: Gauge.Internal<string>;
  /** The relay's `time` of the last event, Unix nanoseconds. */
  lastEvtCreatedAt: Gauge.Internal<string>;
  /** Seconds from relay `time` to processing. */
  lastEvtCreatedEvtProcessedGap: Gauge.Internal<string>;
  eventsSequenced: Counter.Internal;
  eventsPersisted: Counter.Internal;
  eventsEmitted: Counter.Internal;
  /** indigo's frame counters in v1, labelled `remote_addr` (here the relay URL). */
  repoStreamEventsReceived: Counter.Internal;
  repoStreamBytes: Counter.Internal;
  /** 1 while the relay connection is open, else 0 (ours). */
  relayConnected: Gauge.Internal<string>;
  /** Relay connections lost, by `reason` (closed, error, liveness, ping-timeout, relay-error; ours). */
  relayReconnects: ConsumerCounter<'reason'>;
  /** 1 while the relay rejects the stored cursor (`FutureCursor`; retried from it, never dropped), 0 once frames flow. */
  relayCursorRejected: Gauge.Internal<string>;
}

/** Subscriber-side metrics (v1 names and labels), plus the per-subscriber lag. */
export interface ServerMetrics {
  subscribersConnected: Gauge<'ip_address'>;
  /** Events made visible to subscribers (no labels). */
  eventsEmitted: Counter<string>;
  /** Their JSON bytes (no labels). */
  bytesEmitted: Counter<string>;
  eventsDelivered: Counter<'ip_address'>;
  /** Bytes sent: the compressed size for zstd subscribers. */
  bytesDelivered: Counter<'ip_address'>;
  /** Seconds of `time_us` between the log's head and the subscriber's position; remove on disconnect. */
  subscriberLag: Gauge<'subscriber' | 'ip_address'>;
  /** Events between the head and a subscriber's position, sampled (buckets 1, 10, ... 10^6). */
  subscriberLagEvents: Histogram<string>;
  /** Subscribers closed by the server, by `reason`. */
  subscribersClosed: Counter<'reason'>;
  /** Handshakes refused by the connection limits, by `reason`. */
  subscribersRefused: Counter<'reason'>;
}

export interface JetstreamMetrics {
  readonly registry: Registry;
  readonly consumer: ConsumerMetrics;
  readonly server: ServerMetrics;
  /** `jetstream_dropped_input_total{stage,reason}`: see `MetricsDropReporter`. */
  readonly droppedInput: Counter<'stage' | 'reason'>;
}

/**
 * Registers the Jetstream metrics in `registry` (never in prom-client's default registry) and
 * returns typed handles. Call it once per registry: prom-client rejects a second registration
 * of a name.
 *
 * @example
 * import { createMetrics } from '@jetstream-ts/metrics';
 * import { DEFAULT_RELAY_URL } from '@jetstream-ts/models';
 * import { Registry } from 'prom-client';
 *
 * const registry = new Registry();
 * const metrics = createMetrics(registry, { socketUrl: DEFAULT_RELAY_URL });
 * metrics.consumer.eventsProcessed.inc({ event_type: 'commit' });
 * metrics.server.subscribersConnected.inc({ ip_address: '203.0.113.7' });
 * const text = await registry.metrics(); // for GET /metrics, with registry.contentType
 */
export function createMetrics(registry: Registry, options: MetricsOptions): JetstreamMetrics {
  const registers = [registry];
  const socket = { socket_url: options.socketUrl };
  const consumerCounter = <L extends string>(name: string, help: string, labelNames: L[]): ConsumerCounter<L> => {
    const counter = new Counter({ name, help, labelNames: ['socket_url', ...labelNames], registers });
    // One bound child per label combination: prom-client's label validation and hashing run once
    // per combination instead of once per event (they were ~8% of ingest CPU).
    const children = new Map<string, Counter.Internal>();
    return {
      inc: (labels, value) => {
        const key = labelNames.map((labelName) => labels[labelName]).join('\u0000');
        let child = children.get(key);
        if (child === undefined) {
          child = counter.labels({ ...socket, ...labels });
          children.set(key, child);
        }
        child.inc(value);
      },
    };
  };
  const boundCounter = (name: string, help: string, labelName = 'socket_url', labelValue = options.socketUrl) =>
    new Counter({ name, help, labelNames: [labelName], registers }).labels({ [labelName]: labelValue });
  const boundGauge = (name: string, help: string) =>
    new Gauge({ name, help, labelNames: ['socket_url'], registers }).labels(socket);

  return {
    registry,
    consumer: {
      eventsProcessed: consumerCounter(METRIC_NAMES.consumerEventsProcessed, 'The total number of firehose events processed by Jetstream', ['event_type']),
      opsProcessed: consumerCounter(METRIC_NAMES.consumerOpsProcessed, 'The total number of repo operations processed by Jetstream', ['kind', 'op_path']),
      eventProcessingDuration: new Histogram({
        name: METRIC_NAMES.consumerEventProcessingDuration,
        help: 'The amount of time it takes to process a firehose event',
        labelNames: ['socket_url'],
        buckets: exponentialBuckets(0.0001, 2, 18),
        registers,
      }).labels(socket),
      lastSeq: boundGauge(METRIC_NAMES.consumerLastSeq, 'The sequence number of the last event processed'),
      lastEvtProcessedAt: boundGauge(METRIC_NAMES.consumerLastEvtProcessedAt, 'The timestamp of the last event processed'),
      lastEvtCreatedAt: boundGauge(METRIC_NAMES.consumerLastEvtCreatedAt, 'The timestamp of the last event created'),
      lastEvtCreatedEvtProcessedGap: boundGauge(
        METRIC_NAMES.consumerLastEvtCreatedEvtProcessedGap,
        'The gap between the last event created and the last event processed',
      ),
      eventsSequenced: boundCounter(METRIC_NAMES.consumerEventsSequenced, 'The total number of events sequenced'),
      eventsPersisted: boundCounter(METRIC_NAMES.consumerEventsPersisted, 'The total number of events persisted'),
      eventsEmitted: boundCounter(METRIC_NAMES.consumerEventsEmitted, 'The total number of events emitted'),
      repoStreamEventsReceived: boundCounter(METRIC_NAMES.repoStreamEventsReceived, 'Total number of events received', 'remote_addr'),
      repoStreamBytes: boundCounter(METRIC_NAMES.repoStreamBytes, 'Total bytes received', 'remote_addr'),
      relayConnected: boundGauge(METRIC_NAMES.relayConnected, 'Whether the relay connection is open (1) or not (0)'),
      relayReconnects: consumerCounter(METRIC_NAMES.relayReconnects, 'Relay connections lost and retried, by reason', ['reason']),
      relayCursorRejected: boundGauge(METRIC_NAMES.relayCursorRejected, 'Whether the relay rejects the stored cursor (FutureCursor) and it is being retried (1) or not (0)'),
    },
    server: {
      subscribersConnected: new Gauge({ name: METRIC_NAMES.subscribersConnected, help: 'The number of subscribers connected to the Jetstream server', labelNames: ['ip_address'], registers }),
      eventsEmitted: new Counter({ name: METRIC_NAMES.eventsEmitted, help: 'The total number of events emitted by the Jetstream server', registers }),
      bytesEmitted: new Counter({ name: METRIC_NAMES.bytesEmitted, help: 'The total number of bytes emitted by the Jetstream server', registers }),
      eventsDelivered: new Counter({ name: METRIC_NAMES.eventsDelivered, help: 'The total number of events delivered by the Jetstream server', labelNames: ['ip_address'], registers }),
      bytesDelivered: new Counter({ name: METRIC_NAMES.bytesDelivered, help: 'The total number of bytes delivered by the Jetstream server', labelNames: ['ip_address'], registers }),
      subscriberLag: new Gauge({ name: METRIC_NAMES.subscriberLag, help: "Seconds of time_us between the log's head and a subscriber's position", labelNames: ['subscriber', 'ip_address'], registers }),
      subscriberLagEvents: new Histogram({ name: METRIC_NAMES.subscriberLagEvents, help: "Events between the log's head and a subscriber's position, sampled", buckets: exponentialBuckets(1, 10, 7), registers }),
      subscribersClosed: new Counter({ name: METRIC_NAMES.subscribersClosed, help: 'Subscribers closed by the server, by reason', labelNames: ['reason'], registers }),
      subscribersRefused: new Counter({ name: METRIC_NAMES.subscribersRefused, help: 'Subscriber handshakes refused by the connection limits, by reason', labelNames: ['reason'], registers }),
    },
    droppedInput: new Counter({ name: METRIC_NAMES.droppedInput, help: 'Input dropped by a pipeline stage, by stage and reason', labelNames: ['stage', 'reason'], registers }),
  };
}
