import { metricValue } from './metric-value.js';

describe('metricValue', () => {
  const exposition = [
    '# HELP jetstream_edge_lag_events Events in the NATS stream that this edge has not stored yet',
    '# TYPE jetstream_edge_lag_events gauge',
    'jetstream_edge_lag_events 12',
    'jetstream_edge_lag_events_total 99',
    'consumer_last_seq_total 1',
    'consumer_last_seq{socket_url="ws://127.0.0.1:1/xrpc/com.atproto.sync.subscribeRepos"} 7000004001',
    'events_total{kind="commit"} 5 1796296246374',
    'broken_metric NaN',
    '',
  ].join('\n');

  it('reads the first sample, with or without labels, not one whose name merely starts the same, ignoring a timestamp', () => {
    expect(metricValue(exposition, 'jetstream_edge_lag_events')).toBe(12);
    expect(metricValue(exposition, 'consumer_last_seq')).toBe(7_000_004_001);
    expect(metricValue(exposition, 'events_total')).toBe(5);
  });

  it('is undefined for a metric that is absent or not a number', () => {
    expect(metricValue(exposition, 'jetstream_edge_lag_seconds')).toBeUndefined();
    expect(metricValue(exposition, 'broken_metric')).toBeUndefined();
  });
});
