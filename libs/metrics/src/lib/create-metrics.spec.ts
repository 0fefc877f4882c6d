import { Registry, register as defaultRegistry } from 'prom-client';
import { createMetrics } from './create-metrics.js';

const SOCKET_URL = 'wss://relay.example/xrpc/com.atproto.sync.subscribeRepos';

describe('createMetrics', () => {
  it('registers the v1 names with their types and labels, and ours, in the given registry only', () => {
    const registry = new Registry();
    createMetrics(registry, { socketUrl: SOCKET_URL });
    const described = registry.getMetricsAsArray().map((metric) => {
      const { name, type, labelNames } = metric as unknown as { name: string; type: string; labelNames: string[] };
      return [name, type, labelNames];
    });
    expect(described).toEqual(
      expect.arrayContaining([
        ['consumer_events_processed_total', 'counter', ['socket_url', 'event_type']],
        ['consumer_ops_processed_total', 'counter', ['socket_url', 'kind', 'op_path']],
        ['consumer_event_processing_duration_seconds', 'histogram', ['socket_url']],
        ['consumer_last_seq', 'gauge', ['socket_url']],
        ['consumer_last_evt_processed_at', 'gauge', ['socket_url']],
        ['consumer_last_evt_created_at', 'gauge', ['socket_url']],
        ['consumer_last_evt_created_evt_processed_gap', 'gauge', ['socket_url']],
        ['consumer_events_sequenced_total', 'counter', ['socket_url']],
        ['consumer_events_persisted_total', 'counter', ['socket_url']],
        ['consumer_events_emitted_total', 'counter', ['socket_url']],
        ['indigo_repo_stream_events_received_total', 'counter', ['remote_addr']],
        ['indigo_repo_stream_bytes_total', 'counter', ['remote_addr']],
        ['jetstream_subscribers_connected', 'gauge', ['ip_address']],
        ['jetstream_events_emitted_total', 'counter', []],
        ['jetstream_bytes_emitted_total', 'counter', []],
        ['jetstream_events_delivered_total', 'counter', ['ip_address']],
        ['jetstream_bytes_delivered_total', 'counter', ['ip_address']],
        ['jetstream_dropped_input_total', 'counter', ['stage', 'reason']],
        ['jetstream_subscriber_lag_seconds', 'gauge', ['subscriber', 'ip_address']],
        ['jetstream_subscriber_lag_events', 'histogram', []],
        ['jetstream_subscribers_closed_total', 'counter', ['reason']],
        ['jetstream_subscribers_refused_total', 'counter', ['reason']],
        ['jetstream_relay_connected', 'gauge', ['socket_url']],
        ['jetstream_relay_reconnects_total', 'counter', ['socket_url', 'reason']],
        ['jetstream_relay_cursor_rejected', 'gauge', ['socket_url']],
      ]),
    );
    expect(described).toHaveLength(25);
    expect(defaultRegistry.getMetricsAsArray()).toEqual([]);
  });

  it("removes an address's series from the v1 per-address metrics", async () => {
    const registry = new Registry();
    const { server } = createMetrics(registry, { socketUrl: 'ws://relay.test' });
    for (const ip_address of ['192.0.2.1', '192.0.2.2']) {
      server.subscribersConnected.inc({ ip_address });
      server.eventsDelivered.inc({ ip_address }, 3);
    }
    for (const metric of [server.subscribersConnected, server.eventsDelivered]) metric.remove({ ip_address: '192.0.2.1' });
    const text = await registry.metrics();
    expect(text).not.toContain('192.0.2.1');
    expect(text).toContain('jetstream_events_delivered_total{ip_address="192.0.2.2"} 3');
  });

  it('binds socket_url on consumer metrics', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { socketUrl: SOCKET_URL });
    metrics.consumer.eventsProcessed.inc({ event_type: 'commit' });
    metrics.consumer.eventsProcessed.inc({ event_type: 'commit' }, 2);
    metrics.consumer.opsProcessed.inc({ kind: 'create', op_path: 'app.bsky.feed.like' });
    metrics.consumer.lastSeq.set(42);
    metrics.consumer.eventsSequenced.inc(5);
    const text = await registry.metrics();
    expect(text).toContain(`consumer_events_processed_total{socket_url="${SOCKET_URL}",event_type="commit"} 3`);
    expect(text).toContain(`consumer_ops_processed_total{socket_url="${SOCKET_URL}",kind="create",op_path="app.bsky.feed.like"} 1`);
    expect(text).toContain(`consumer_last_seq{socket_url="${SOCKET_URL}"} 42`);
    expect(text).toContain(`consumer_events_sequenced_total{socket_url="${SOCKET_URL}"} 5`);
  });

  it('counts each label combination apart', async () => {
    const registry = new Registry();
    const ops = createMetrics(registry, { socketUrl: SOCKET_URL }).consumer.opsProcessed;
    ops.inc({ kind: 'create', op_path: 'app.bsky.feed.like' });
    ops.inc({ kind: 'delete', op_path: 'app.bsky.feed.like' });
    ops.inc({ kind: 'create', op_path: 'app.bsky.feed.like' });
    ops.inc({ kind: 'create', op_path: 'app.bsky.feed.post' }, 4);
    const text = await registry.metrics();
    expect(text).toContain(`consumer_ops_processed_total{socket_url="${SOCKET_URL}",kind="create",op_path="app.bsky.feed.like"} 2`);
    expect(text).toContain(`consumer_ops_processed_total{socket_url="${SOCKET_URL}",kind="delete",op_path="app.bsky.feed.like"} 1`);
    expect(text).toContain(`consumer_ops_processed_total{socket_url="${SOCKET_URL}",kind="create",op_path="app.bsky.feed.post"} 4`);
  });

  it('uses v1 histogram buckets: 0.1 ms doubling, 18 of them', async () => {
    const registry = new Registry();
    createMetrics(registry, { socketUrl: SOCKET_URL }).consumer.eventProcessingDuration.observe(0.0003);
    const text = await registry.metrics();
    const bounds = [...text.matchAll(/consumer_event_processing_duration_seconds_bucket\{le="([^"]+)"/g)].map((match) => match[1]);
    expect(bounds).toEqual([
      '0.0001', '0.0002', '0.0004', '0.0008', '0.0016', '0.0032', '0.0064', '0.0128', '0.0256',
      '0.0512', '0.1024', '0.2048', '0.4096', '0.8192', '1.6384', '3.2768', '6.5536', '13.1072', '+Inf',
    ]);
    expect(text).toContain(`consumer_event_processing_duration_seconds_bucket{le="0.0004",socket_url="${SOCKET_URL}"} 1`);
    expect(text).toContain(`consumer_event_processing_duration_seconds_bucket{le="0.0002",socket_url="${SOCKET_URL}"} 0`);
  });

  it('can be created once per registry, in as many registries as needed', () => {
    const registry = new Registry();
    createMetrics(registry, { socketUrl: SOCKET_URL });
    expect(() => createMetrics(registry, { socketUrl: SOCKET_URL })).toThrow(/already been registered/);
    expect(() => createMetrics(new Registry(), { socketUrl: SOCKET_URL })).not.toThrow();
  });
});
