import type { CliIo } from './cli-io.js';
import { createLiveDisplay } from './live-display.js';
import { runLiveStream } from './live-stream.js';
import { renderStats, statsLine, StreamStats } from './stream-stats.js';

export interface StatsCommandOptions {
  collection?: string[];
  cursor?: number;
  compress?: boolean;
  /** Milliseconds between updates. */
  interval: number;
  /** Collections listed. */
  top: number;
}

/**
 * `jetstream stats`: a live view on stdout of events/s overall and per collection, bytes/s
 * (on the wire), lag behind the wall clock, and reconnects; redrawn in place on a terminal, one
 * line per interval otherwise. Runs until Ctrl-C (exit 0); 1 when the server cannot be reached.
 */
export async function runStats(url: string, options: StatsCommandOptions, io: CliIo): Promise<number> {
  const stats = new StreamStats(Date.now());
  let connections = 0;
  const display = createLiveDisplay(io.stdout, { intervalMs: 0 });
  const draw = () => {
    const snapshot = stats.snapshot(Date.now());
    display.show(() => (io.stdout.isTTY ? renderStats(snapshot, options.top) : [statsLine(snapshot, options.top)]));
  };
  const timer = setInterval(draw, options.interval);
  try {
    const outcome = await runLiveStream(
      {
        url,
        wantedCollections: options.collection,
        cursor: options.cursor,
        compress: options.compress,
        onStatus: (status) => status.type === 'connected' && connections++ > 0 && stats.reconnected(),
      },
      io,
      (message) => {
        stats.record(message);
        return true;
      },
    );
    if (outcome.ended === 'error') {
      io.stderr.write(`error: ${outcome.message}\n`);
      return 1;
    }
    return 0;
  } finally {
    clearInterval(timer);
    display.done();
  }
}
