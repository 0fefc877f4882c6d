/** One pipeline under test: turns a frame into output and says how many bytes it produced. */
export interface Contestant {
  /** Short label used in tables and ratios, e.g. `a`. */
  id: string;
  name: string;
  /** Processes one frame; returns the number of output bytes (kept so no work is optimised away). */
  processFrame(frame: Uint8Array): number | Promise<number>;
}

export interface RoundOptions {
  /** Untimed passes per contestant before the timed rounds, so the JIT has settled. */
  warmupRounds: number;
  rounds: number;
  /** Monotonic wall clock in milliseconds (injected so tests need no timing). */
  now?: () => number;
  /**
   * CPU time this process has used, in milliseconds. Other work on a shared machine stretches
   * wall time but hardly CPU time, so it is the steadier measure there.
   */
  cpuNow?: () => number;
  /** Called after each timed round of each contestant, e.g. to print progress. */
  onRound?: (contestant: Contestant, round: number, elapsedMs: number, cpuMs: number) => void;
}

export interface ContestantTimings {
  contestant: Contestant;
  /** Wall time of each timed round, in milliseconds, in round order. */
  roundsMs: number[];
  /** CPU time of each timed round, in milliseconds, in round order. */
  roundsCpuMs: number[];
  /** Output bytes of one pass over the frames. */
  outputBytes: number;
}

/**
 * Runs every contestant over the same frames in interleaved rounds (a, b, c, d, a, b, c, d, ...)
 * so that noise from other work on the machine spreads over all of them instead of hitting one.
 */
export async function runInterleavedRounds(
  contestants: readonly Contestant[],
  frames: readonly Uint8Array[],
  options: RoundOptions,
): Promise<ContestantTimings[]> {
  const now = options.now ?? (() => performance.now());
  const cpuNow = options.cpuNow ?? processCpuMs;
  const timings = contestants.map((contestant) => ({
    contestant,
    roundsMs: [] as number[],
    roundsCpuMs: [] as number[],
    outputBytes: 0,
  }));
  for (let round = 0; round < options.warmupRounds; round++) {
    for (const timing of timings) timing.outputBytes = await processAll(timing.contestant, frames);
  }
  for (let round = 0; round < options.rounds; round++) {
    for (const timing of timings) {
      const start = now();
      const cpuStart = cpuNow();
      timing.outputBytes = await processAll(timing.contestant, frames);
      const cpuMs = cpuNow() - cpuStart;
      const elapsedMs = now() - start;
      timing.roundsMs.push(elapsedMs);
      timing.roundsCpuMs.push(cpuMs);
      options.onRound?.(timing.contestant, round, elapsedMs, cpuMs);
    }
  }
  return timings;
}

function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function processAll(contestant: Contestant, frames: readonly Uint8Array[]): Promise<number> {
  let outputBytes = 0;
  for (const frame of frames) {
    const result = contestant.processFrame(frame);
    // Await only real promises, so synchronous contestants pay no microtask per frame.
    outputBytes += typeof result === 'number' ? result : await result;
  }
  return outputBytes;
}

/** The median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
