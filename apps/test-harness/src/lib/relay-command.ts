import { readFileSync } from 'node:fs';
import { startFakeRelay, type FakeRelay, type RelayFault } from '@jetstream-ts/fake-relay';
import { parseFrameLog } from '@jetstream-ts/frames';
import { untilAborted, type HarnessIo } from './harness-io.js';
import { integerAtLeast } from './option-parsers.js';

export interface RelayCommandOptions {
  frames: string[];
  host: string;
  port: number;
  rate?: number;
  loop: number;
  stallAfter?: number;
  disconnectAfter?: number;
  /** `[n, name]` or `[n, name, message]`. */
  errorFrameAfter?: string[];
  corruptAfter?: number;
  truncateAfter?: number;
  faultsOnFirst?: number;
}

/** The faults the command-line flags ask for. Throws an Error with a usage message when they are malformed. */
export function faultsFromOptions(options: RelayCommandOptions): RelayFault[] {
  const connections = options.faultsOnFirst;
  const faults: RelayFault[] = [];
  const simple = [
    ['stall', options.stallAfter],
    ['disconnect', options.disconnectAfter],
    ['corrupt', options.corruptAfter],
    ['truncate', options.truncateAfter],
  ] as const;
  for (const [kind, after] of simple) if (after !== undefined) faults.push({ kind, after, connections });
  if (options.errorFrameAfter !== undefined) {
    const [count, error, message, ...rest] = options.errorFrameAfter;
    if (error === undefined || rest.length > 0) {
      throw new Error(
        `--error-frame-after takes <n> <name> [message], e.g. --error-frame-after 100 ConsumerTooSlow`,
      );
    }
    let after: number;
    try {
      after = integerAtLeast(0)(count);
    } catch (cause) {
      throw new Error(`--error-frame-after: ${(cause as Error).message}`);
    }
    faults.push(
      message === undefined
        ? { kind: 'error', after, error, connections }
        : { kind: 'error', after, error, message, connections },
    );
  }
  return faults;
}

/** Reads and concatenates frame logs (plain or zstd). Warns on stderr about a log cut short. */
export function loadFrameLogs(paths: readonly string[], io: Pick<HarnessIo, 'stderr'>): Uint8Array[] {
  return paths.flatMap((path) => {
    const { frames, trailingBytes } = parseFrameLog(readFileSync(path));
    if (trailingBytes > 0)
      io.stderr.write(`warning: ${path} ends inside a frame (${trailingBytes} bytes ignored)\n`);
    return frames;
  });
}

/** `jetstream-harness relay`: serves frame logs until asked to stop. Returns the exit code. */
export async function runRelay(options: RelayCommandOptions, io: HarnessIo): Promise<number> {
  let relay: FakeRelay;
  try {
    const faults = faultsFromOptions(options);
    const frames = loadFrameLogs(options.frames, io);
    relay = await startFakeRelay({
      frames,
      host: options.host,
      port: options.port,
      rate: options.rate,
      loop: options.loop,
      faults,
    });
    const pace =
      options.rate === undefined ? 'as fast as each client reads' : `${options.rate} frames/s per connection`;
    io.stderr.write(
      `serving ${frames.length} frames × ${options.loop} (last seq ${relay.lastSeq ?? 'none'}), ${pace}; stop with Ctrl-C\n`,
    );
  } catch (error) {
    io.stderr.write(`error: ${(error as Error).message}\n`);
    return 1;
  }
  io.stdout.write(`${relay.url}\n`);
  await untilAborted(io.stop);
  await relay.close();
  for (const connection of relay.connections) {
    io.stderr.write(
      `connection ${connection.id}: cursor ${connection.cursor ?? 'live'}, sent ${connection.sent} frames, last seq ${connection.lastSeq ?? 'none'}\n`,
    );
  }
  return 0;
}
