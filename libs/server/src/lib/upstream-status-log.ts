import type { UpstreamStatus } from '@jetstream-ts/upstream';
import type { Logger } from 'pino';

/**
 * Logs the relay source's status changes, never per frame: at `info` one line when frames flow
 * on a connection, a `warn` per lost connection (with the retry delay) or error frame, an
 * `error` while the relay refuses the cursor; dialling and the handshake only at `debug` (a
 * relay that is down makes one line per attempt, not two).
 *
 * @example
 * import { logUpstreamStatus } from '@jetstream-ts/server';
 * import { relayFrames } from '@jetstream-ts/upstream';
 *
 * // wsUrl: the relay's URL; logger: from createLogger()
 * relayFrames({ wsUrl, onStatus: logUpstreamStatus(logger) });
 *
 * @param logger Where to log.
 * @return An `onStatus` callback for `relayFrames`.
 */
export function logUpstreamStatus(logger: Logger): (status: UpstreamStatus) => void {
  return (status) => {
    switch (status.type) {
      case 'connecting':
        return logger.debug({ url: status.url, cursor: status.cursor ?? null }, 'connecting to relay');
      case 'connected':
        return logger.debug({ url: status.url }, 'connected to relay, waiting for frames');
      case 'disconnected':
        return logger.warn({ reason: status.reason, detail: status.detail, retryInMs: status.retryInMs }, 'relay connection lost, reconnecting');
      case 'streaming':
        return logger.info({ url: status.url }, 'connected to relay, receiving frames');
      case 'relay-error':
        return logger.warn({ error: status.error, message: status.message }, 'relay sent an error frame, reconnecting from the cursor');
      case 'cursor-rejected':
        return logger.error(
          { error: status.error, message: status.message, cursor: status.cursor, retryInMs: status.retryInMs },
          'relay rejects the stored cursor (its sequence is behind it); retrying from it, not ready. Check the relay, or restart with --override-relay-cursor to resume elsewhere',
        );
      case 'ignored-message':
        return logger.warn({ detail: status.detail }, 'ignored a non-binary message from the relay');
    }
  };
}
