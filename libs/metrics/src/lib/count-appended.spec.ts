import { Registry } from 'prom-client';
import { from, lastValueFrom, toArray } from 'rxjs';
import { countAppended } from './count-appended.js';
import { countSequenced } from './count-sequenced.js';
import { createMetrics } from './create-metrics.js';

describe('countAppended and countSequenced', () => {
  it('count sequenced events, and committed events with their JSON bytes', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { socketUrl: 'wss://relay.example' });
    const json = (length: number) => ({ json: new Uint8Array(length) });
    const batches = [{ events: [json(500), json(600)] }, { events: [] }, { events: [json(100)] }];

    expect(await lastValueFrom(from(batches).pipe(countAppended(metrics), toArray()))).toEqual(batches);
    await lastValueFrom(from(['a', 'b', 'c']).pipe(countSequenced(metrics)));

    const text = await registry.metrics();
    expect(text).toContain('consumer_events_sequenced_total{socket_url="wss://relay.example"} 3');
    expect(text).toContain('consumer_events_persisted_total{socket_url="wss://relay.example"} 3');
    expect(text).toContain('consumer_events_emitted_total{socket_url="wss://relay.example"} 3');
    expect(text).toContain('jetstream_events_emitted_total 3');
    expect(text).toContain('jetstream_bytes_emitted_total 1200');
  });
});
