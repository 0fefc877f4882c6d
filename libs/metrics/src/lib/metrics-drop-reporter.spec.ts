import { Registry } from 'prom-client';
import { createMetrics } from './create-metrics.js';
import { MetricsDropReporter } from './metrics-drop-reporter.js';

describe('MetricsDropReporter', () => {
  it('counts every drop by stage and reason and logs each kind once, with the first context', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { socketUrl: 'wss://relay.example' });
    const logged: Array<[object, string]> = [];
    const drops = new MetricsDropReporter(metrics.droppedInput, { warn: (context, message) => logged.push([context, message]) });

    drops.drop({ stage: 'op', reason: 'cid-mismatch', seq: 10, did: 'did:plc:a', path: 'app.bsky.feed.post/1' });
    drops.drop({ stage: 'op', reason: 'cid-mismatch', seq: 11, did: 'did:plc:b', path: 'app.bsky.feed.post/2' });
    drops.drop({ stage: 'frame', reason: 'invalid-cbor', detail: 'unexpected end' });
    drops.drop({ stage: 'commit', reason: 'cid-mismatch', seq: 12 });

    const text = await registry.metrics();
    expect(text).toContain('jetstream_dropped_input_total{stage="op",reason="cid-mismatch"} 2');
    expect(text).toContain('jetstream_dropped_input_total{stage="frame",reason="invalid-cbor"} 1');
    expect(text).toContain('jetstream_dropped_input_total{stage="commit",reason="cid-mismatch"} 1');
    expect(logged.map(([context]) => context)).toEqual([
      { stage: 'op', reason: 'cid-mismatch', seq: 10, did: 'did:plc:a', path: 'app.bsky.feed.post/1' },
      { stage: 'frame', reason: 'invalid-cbor', detail: 'unexpected end' },
      { stage: 'commit', reason: 'cid-mismatch', seq: 12 },
    ]);
    expect(logged[0][1]).toMatch(/op: cid-mismatch/);
  });
});
