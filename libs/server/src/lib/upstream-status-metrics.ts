import type { ConsumerMetrics } from '@jetstream-ts/metrics';
import type { UpstreamStatus } from '@jetstream-ts/upstream';

/**
 * Counts the relay source's status changes: `jetstream_relay_connected` follows the connection
 * (1 once open, 0 while connecting or after a loss) and `jetstream_relay_reconnects_total{reason}`
 * counts each lost connection (every one is retried after the backoff);
 * `jetstream_relay_cursor_rejected` is 1 from a `FutureCursor` until frames flow again.
 *
 * @example
 * import { countUpstreamStatus } from '@jetstream-ts/server';
 * import { relayFrames } from '@jetstream-ts/upstream';
 *
 * // wsUrl: the relay's URL; metrics: from createMetrics() of @jetstream-ts/metrics
 * relayFrames({ wsUrl, onStatus: countUpstreamStatus(metrics.consumer) });
 *
 * @param consumer `createMetrics(...).consumer`.
 * @return An `onStatus` callback for `relayFrames`.
 */
export function countUpstreamStatus(consumer: Pick<ConsumerMetrics, 'relayConnected' | 'relayReconnects' | 'relayCursorRejected'>): (status: UpstreamStatus) => void {
  consumer.relayConnected.set(0);
  consumer.relayCursorRejected.set(0);
  return (status) => {
    switch (status.type) {
      case 'connected':
        return consumer.relayConnected.set(1);
      case 'connecting':
        return consumer.relayConnected.set(0);
      case 'disconnected':
        consumer.relayConnected.set(0);
        return consumer.relayReconnects.inc({ reason: status.reason });
      case 'cursor-rejected':
        return consumer.relayCursorRejected.set(1);
      case 'streaming':
        return consumer.relayCursorRejected.set(0);
    }
  };
}
