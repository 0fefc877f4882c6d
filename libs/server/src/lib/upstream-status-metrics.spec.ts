import { createMetrics } from '@jetstream-ts/metrics';
import { Registry } from 'prom-client';
import { countUpstreamStatus } from './upstream-status-metrics.js';

describe('countUpstreamStatus', () => {
  it('holds jetstream_relay_cursor_rejected at 1 from a FutureCursor until frames flow again', async () => {
    const registry = new Registry();
    const { consumer } = createMetrics(registry, { socketUrl: 'ws://relay.test' });
    const count = countUpstreamStatus(consumer);
    const rejected = async () => (await registry.getSingleMetric('jetstream_relay_cursor_rejected')!.get()).values[0]?.value;
    expect(await rejected()).toBe(0);
    count({ type: 'cursor-rejected', cursor: 30, error: 'FutureCursor', retryInMs: 1000 });
    count({ type: 'connecting', url: 'ws://relay.test', cursor: 30 });
    count({ type: 'connected', url: 'ws://relay.test' });
    expect(await rejected()).toBe(1);
    count({ type: 'streaming', url: 'ws://relay.test' });
    expect(await rejected()).toBe(0);
  });
});
