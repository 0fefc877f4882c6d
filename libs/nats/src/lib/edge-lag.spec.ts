import { Registry } from 'prom-client';
import { EdgeLag, registerEdgeLagMetrics } from './edge-lag.js';

describe('EdgeLag', () => {
  it('is the pending count and the age of the current message while behind, zero once caught up', () => {
    const lag = new EdgeLag(() => 1_000_000);
    lag.update(250, 997_500);
    expect({ events: lag.events, seconds: lag.seconds }).toEqual({ events: 250, seconds: 2.5 });
    lag.update(0, 999_000);
    expect({ events: lag.events, seconds: lag.seconds }).toEqual({ events: 0, seconds: 0 });
  });

  it('is exposed as two gauges read at scrape time', async () => {
    const registry = new Registry();
    const lag = new EdgeLag(() => 10_000);
    registerEdgeLagMetrics(registry, lag);
    lag.update(7, 4_000);
    const text = await registry.metrics();
    expect(text).toContain('jetstream_edge_lag_events 7\n');
    expect(text).toContain('jetstream_edge_lag_seconds 6\n');
  });
});
