/** Labels of v1's per-subscriber metrics. */
export interface IpAddressLabels {
  ip_address: string;
}

/** Labels of the per-subscriber lag gauge. */
export interface SubscriberLabels extends IpAddressLabels {
  subscriber: string;
}

/** A per-address series that the endpoint removes when the address's last connection closes. */
interface RemovableSeries {
  remove?(labels: IpAddressLabels): void;
}

/**
 * Where sessions report, shaped so that prom-client metrics fit as they are (a `Gauge` or
 * `Counter` with the label `ip_address`, a `Histogram`), without this library creating or
 * naming any: the metrics library owns the registry.
 *
 * The `ip_address` series of an address are removed when its last connection closes, so their
 * number is bounded by the connections open, not by the addresses ever seen (a counter that
 * comes back starts from 0, which Prometheus' `rate()` reads as a reset).
 */
export interface SubscriberMetrics {
  /** `jetstream_subscribers_connected{ip_address}` (gauge): +1 on connect, -1 on close. */
  subscribersConnected: RemovableSeries & {
    inc(labels: IpAddressLabels, value?: number): void;
    dec(labels: IpAddressLabels, value?: number): void;
  };
  /** `jetstream_events_delivered_total{ip_address}` (counter): events handed to the socket. */
  eventsDelivered: RemovableSeries & { inc(labels: IpAddressLabels, value?: number): void };
  /** `jetstream_bytes_delivered_total{ip_address}` (counter): their bytes (the zstd size for compressed subscribers). */
  bytesDelivered: RemovableSeries & { inc(labels: IpAddressLabels, value?: number): void };
  /**
   * `jetstream_subscriber_lag_seconds{subscriber,ip_address}` (gauge): `time_us` between the
   * head and the subscriber's position, sampled; removed when it disconnects. Not in v1.
   */
  subscriberLag?: {
    set(labels: SubscriberLabels, value: number): void;
    remove(labels: SubscriberLabels): void;
  };
  /** Sampled events behind the head, once a second per subscriber (e.g. a histogram). Not in v1. */
  subscriberLagEvents?: { observe(value: number): void };
  /**
   * Subscribers closed by the server, by reason (`slow`, `stalled`, `inbound_flood`,
   * `invalid_message`, `invalid_options`, `read_error`, `internal_error`, `log_closed`). Not in v1.
   */
  subscribersClosed?: { inc(labels: { reason: string }, value?: number): void };
  /** Handshakes refused by the connection limits, by reason (`too_many_for_ip`, `server_full`). Not in v1. */
  subscribersRefused?: { inc(labels: { reason: string }, value?: number): void };
}

/** Metrics that go nowhere. */
export const noSubscriberMetrics: SubscriberMetrics = {
  subscribersConnected: { inc: () => undefined, dec: () => undefined },
  eventsDelivered: { inc: () => undefined },
  bytesDelivered: { inc: () => undefined },
};

/** The part of a pino logger sessions use: one line per event worth knowing, never per message. */
export interface SubscriberLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export const silentLogger: SubscriberLogger = { info: () => undefined, warn: () => undefined };
