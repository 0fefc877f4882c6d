import { jetstream, type JetstreamMessage, type JetstreamOptions, type JetstreamStatus } from '@jetstream-ts/client';
import type { CliIo } from './cli-io.js';

/** How a live command's stream ended. */
export type LiveStreamOutcome = { ended: 'limit' | 'stopped' } | { ended: 'error'; message: string };

/**
 * Runs a subscription for a command: connection changes on stderr, a clear error when the first
 * connection fails (bad host, refused) or the server refuses the request (HTTP 400 text), and a
 * clean end on `io.stop`. Later disconnects are retried by the client, from the last event
 * delivered, so the output has no gap and no repeat. `onMessage` returns false to stop (a
 * limit) and may wait (stdout backpressure): events are read at most 1,000 ahead of it.
 *
 * @param options The client's options (`onStatus` is chained after the command's own).
 * @param io stderr for status lines, `stop` to end.
 * @param onMessage Called for each event in order.
 */
export async function runLiveStream(
  options: JetstreamOptions,
  io: CliIo,
  onMessage: (message: JetstreamMessage) => boolean | Promise<boolean>,
): Promise<LiveStreamOutcome> {
  let connected = false;
  let firstFailure: string | undefined;
  let lastCursor: number | undefined;
  const status = (line: string) => io.stderr.write(`${line}\n`);
  const stream = jetstream({
    ...options,
    onStatus: (change: JetstreamStatus) => {
      options.onStatus?.(change);
      if (change.type === 'connecting') lastCursor = change.cursor;
      else if (change.type === 'connected') {
        status(connected ? `reconnected (cursor ${lastCursor ?? 'live'})` : `connected to ${change.url}`);
        connected = true;
      } else if (change.type === 'disconnected') {
        if (connected) return status(`disconnected (${change.reason}); reconnecting in ${change.retryInMs} ms`);
        firstFailure = change.reason;
        void iterator.return?.();
      } else if (change.type === 'invalid-message') status(`dropped a message that is not a v1 event: ${change.detail}`);
    },
  });
  const iterator = stream.messages[Symbol.asyncIterator]();
  const stop = () => void iterator.return?.();
  io.stop?.addEventListener('abort', stop, { once: true });
  try {
    if (io.stop?.aborted) return { ended: 'stopped' };
    for (;;) {
      const next = await iterator.next();
      if (firstFailure !== undefined) return { ended: 'error', message: `cannot connect to ${options.url}: ${firstFailure}` };
      if (next.done) return { ended: 'stopped' };
      if (!(await onMessage(next.value))) return { ended: 'limit' };
    }
  } catch (error) {
    return { ended: 'error', message: (error as Error).message };
  } finally {
    io.stop?.removeEventListener('abort', stop);
    await iterator.return?.();
  }
}
