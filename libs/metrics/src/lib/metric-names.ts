/**
 * Metric names: v1's (reference §7) exactly, so existing dashboards and alerts keep working, and
 * ours (prefixed `jetstream_`, marked below) for what v1 did not measure.
 */
export const METRIC_NAMES = {
  consumerEventsProcessed: 'consumer_events_processed_total',
  consumerOpsProcessed: 'consumer_ops_processed_total',
  consumerEventProcessingDuration: 'consumer_event_processing_duration_seconds',
  consumerLastSeq: 'consumer_last_seq',
  consumerLastEvtProcessedAt: 'consumer_last_evt_processed_at',
  consumerLastEvtCreatedAt: 'consumer_last_evt_created_at',
  consumerLastEvtCreatedEvtProcessedGap: 'consumer_last_evt_created_evt_processed_gap',
  consumerEventsSequenced: 'consumer_events_sequenced_total',
  consumerEventsPersisted: 'consumer_events_persisted_total',
  consumerEventsEmitted: 'consumer_events_emitted_total',
  /** Registered by indigo's stream reader in v1; the Grafana dashboard plots the bytes. */
  repoStreamEventsReceived: 'indigo_repo_stream_events_received_total',
  repoStreamBytes: 'indigo_repo_stream_bytes_total',
  subscribersConnected: 'jetstream_subscribers_connected',
  eventsEmitted: 'jetstream_events_emitted_total',
  bytesEmitted: 'jetstream_bytes_emitted_total',
  eventsDelivered: 'jetstream_events_delivered_total',
  bytesDelivered: 'jetstream_bytes_delivered_total',
  /** Ours: input dropped by a pipeline stage (bad frame, record, path, ...). */
  droppedInput: 'jetstream_dropped_input_total',
  /** Ours: how far a subscriber's position is behind the head of the log, per subscriber. */
  subscriberLag: 'jetstream_subscriber_lag_seconds',
  /** Ours: the same as a distribution, in events, sampled by the sessions. */
  subscriberLagEvents: 'jetstream_subscriber_lag_events',
  /** Ours: subscribers the server closed, by reason (slow, invalid_message, ...). */
  subscribersClosed: 'jetstream_subscribers_closed_total',
  /** Ours: handshakes refused by the connection limits, by reason (too_many_for_ip, server_full). */
  subscribersRefused: 'jetstream_subscribers_refused_total',
  /** Ours: 1 while the relay connection is open, else 0. */
  relayConnected: 'jetstream_relay_connected',
  /** Ours: relay connections lost (each followed by a reconnect after the backoff), by reason. */
  relayReconnects: 'jetstream_relay_reconnects_total',
  /** Ours: 1 while the relay rejects the stored cursor (FutureCursor) and the server retries it, else 0. */
  relayCursorRejected: 'jetstream_relay_cursor_rejected',
  /** Ours: bytes on disk of the event store's files. */
  storeSize: 'jetstream_store_size_bytes',
} as const;
