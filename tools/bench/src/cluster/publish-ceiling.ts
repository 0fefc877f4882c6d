import { spawn } from 'node:child_process';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResources } from '../fanout/bench-processes.js';

/** What `libs/nats/bench/publish-throughput.mjs` prints (one JSON line). */
export interface PublishCeiling {
  events: number;
  batchSize: number;
  /** Acknowledged, exactly-once appends of `batchSize` events, one after the other. */
  publishEventsPerSecond: number;
  /** An edge copying the whole stream into a cursor buffer (catch-up). */
  replicateEventsPerSecond: number;
  avgJsonBytes: number;
  avgZstdBytes: number;
  /** Payload + headers + JetStream's record, per message. */
  streamBytesPerMessage: number;
}

/** The script measuring the ingester's publish ceiling, next to the compiled nats lib. */
export function publishThroughputScript(): string {
  const packageJson = fileURLToPath(import.meta.resolve('@jetstream-ts/nats/package.json'));
  return join(dirname(packageJson), 'bench', 'publish-throughput.mjs');
}

/**
 * The script's result: the last line of its output that is a JSON object with the publish rate.
 *
 * @example
 * parsePublishCeiling('{"events":1000,"batchSize":100,"publishEventsPerSecond":18824}\n').publishEventsPerSecond; // 18824
 */
export function parsePublishCeiling(stdout: string): PublishCeiling {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      const parsed = JSON.parse(line) as Partial<PublishCeiling>;
      if (typeof parsed.publishEventsPerSecond === 'number') return parsed as PublishCeiling;
    } catch {
      // Not the result line.
    }
  }
  throw new Error(`publish-throughput.mjs printed no result: ${JSON.stringify(stdout.slice(-200))}`);
}

/**
 * Runs `publish-throughput.mjs` (its own nats-server, `natsCommand`, on loopback) as a child:
 * `events` synthetic events of the real mix published in appends of `batchSize`.
 */
export async function measurePublishCeiling(
  resources: BenchResources,
  options: { natsCommand: string; events: number; batchSize: number },
): Promise<PublishCeiling> {
  const child = resources.track(
    spawn(process.execPath, [publishThroughputScript(), String(options.events), String(options.batchSize)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      // The script runs `nats-server` from PATH: put the one found first.
      env: { ...process.env, PATH: [dirname(options.natsCommand), process.env['PATH'] ?? ''].join(delimiter) },
    }),
  );
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`publish-throughput.mjs exited with ${code}`);
  return parsePublishCeiling(stdout);
}
