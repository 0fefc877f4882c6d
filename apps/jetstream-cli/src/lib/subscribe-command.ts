import { once } from 'node:events';
import type { CliIo } from './cli-io.js';
import { runLiveStream } from './live-stream.js';
import { prettyEvent } from './pretty-event.js';

export interface SubscribeCommandOptions {
  collection?: string[];
  did?: string[];
  /** Inclusive time_us to start from. */
  cursor?: number;
  /** Start this many ms ago (a cursor from the local clock). */
  since?: number;
  compress?: boolean;
  limit?: number;
  format: 'jsonl' | 'pretty';
}

/**
 * `jetstream subscribe`: events on stdout, one per line (in `jsonl` the v1 JSON exactly as the
 * server sent it), connection changes on stderr. Returns the exit code: 0 after `--limit` or
 * Ctrl-C, 1 when the server cannot be reached or refuses the request.
 */
export async function runSubscribe(url: string, options: SubscribeCommandOptions, io: CliIo): Promise<number> {
  const cursor = options.cursor ?? (options.since === undefined ? undefined : Math.floor((Date.now() - options.since) * 1000));
  let count = 0;
  const outcome = await runLiveStream(
    { url, wantedCollections: options.collection, wantedDids: options.did, cursor, compress: options.compress },
    io,
    async ({ event, json }) => {
      const line = options.format === 'pretty' ? prettyEvent(event) : json;
      // A slow reader of stdout (a pipe, a terminal) holds the stream back instead of filling memory.
      if (!io.stdout.write(`${line}\n`)) await once(io.stdout, 'drain', { signal: io.stop }).catch(() => undefined);
      count++;
      return options.limit === undefined || count < options.limit;
    },
  );
  if (outcome.ended === 'error') {
    io.stderr.write(`error: ${outcome.message}\n`);
    return 1;
  }
  io.stderr.write(`${count} events${outcome.ended === 'limit' ? ' (limit reached)' : ' (stopped)'}\n`);
  return 0;
}
