import { createLogger } from './logger.js';
import { logUpstreamStatus } from './upstream-status-log.js';

const URL = 'ws://127.0.0.1:1/xrpc/com.atproto.sync.subscribeRepos';

describe('logUpstreamStatus', () => {
  it('logs a reconnecting relay in one line per attempt at info, the handshake only at debug', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', format: 'json', target: { write: (line: string) => lines.push(line) } });
    const log = logUpstreamStatus(logger);
    log({ type: 'connecting', url: URL, cursor: 7 });
    log({ type: 'disconnected', reason: 'error', detail: 'connect ECONNREFUSED 127.0.0.1:1', retryInMs: 500 });
    log({ type: 'connecting', url: URL, cursor: 7 });
    log({ type: 'connected', url: URL });
    log({ type: 'streaming', url: URL });
    log({ type: 'relay-error', error: 'ConsumerTooSlow' });
    log({ type: 'cursor-rejected', cursor: 7, error: 'FutureCursor', retryInMs: 1000 });

    const logged = lines.map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(logged.map(({ level, msg }) => [level, msg.split(';')[0]])).toEqual([
      [20, 'connecting to relay'],
      [40, 'relay connection lost, reconnecting'],
      [20, 'connecting to relay'],
      [20, 'connected to relay, waiting for frames'],
      [30, 'connected to relay, receiving frames'],
      [40, 'relay sent an error frame, reconnecting from the cursor'],
      [50, 'relay rejects the stored cursor (its sequence is behind it)'],
    ]);
    expect(logged[1]).toEqual(expect.objectContaining({ reason: 'error', detail: 'connect ECONNREFUSED 127.0.0.1:1', retryInMs: 500 }));
  });
});
