import { Registry } from 'prom-client';
import { createMetrics } from '@jetstream-ts/metrics';
import { parseSubscribeRequest } from '@jetstream-ts/filtering';
import { createEventFactory, MemoryEventLog } from './memory-event-log.test-util.js';
import type { SubscriberMetrics } from './subscriber-metrics.js';
import { SubscriberSession } from './subscriber-session.js';

const makeEvent = createEventFactory();

describe('SubscriberMetrics', () => {
  it('takes the metrics library\'s server metrics as they are, and feeds v1\'s series', async () => {
    const registry = new Registry();
    const metrics: SubscriberMetrics = createMetrics(registry, { socketUrl: 'wss://relay.example' }).server;
    const log = new MemoryEventLog();
    const request = parseSubscribeRequest('/subscribe', {});
    if (!request.ok) throw new Error(request.message);
    const session = new SubscriberSession({
      log,
      socket: { send: () => undefined, close: () => undefined },
      options: request.options,
      ipAddress: '198.51.100.4',
      metrics,
    });
    session.start();
    const events = [makeEvent(1), makeEvent(2)];
    log.append(...events);
    await new Promise((resolve) => setImmediate(resolve));
    const value = async (name: string) =>
      (await registry.getSingleMetric(name)?.get())?.values.find((sample) => sample.labels['ip_address'] === '198.51.100.4')?.value;
    expect(await value('jetstream_subscribers_connected')).toBe(1);
    expect(await value('jetstream_events_delivered_total')).toBe(2);
    expect(await value('jetstream_bytes_delivered_total')).toBe(events.reduce((sum, event) => sum + event.json.length, 0));
    session.stop();
    expect(await value('jetstream_subscribers_connected')).toBe(0);
  });
});
