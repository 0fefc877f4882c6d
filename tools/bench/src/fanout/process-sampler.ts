import { readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc/<pid>/stat` times (USER_HZ: 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) of a process from its `/proc/<pid>/stat` line, in seconds. */
export function parseCpuSeconds(stat: string): number {
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 (utime) and 15 (stime) of the whole line are 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident set size in bytes (`VmRSS`) from `/proc/<pid>/status`; NaN when absent. */
export function parseRssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : NaN;
}

/**
 * Seconds the thread spent runnable but waiting for a CPU, from `/proc/<pid>/schedstat` (the
 * main thread when read for a process id): on a shared machine, how much other work held it up.
 */
export function parseRunQueueWaitSeconds(schedstat: string): number {
  return Number(schedstat.split(' ')[1]) / 1e9;
}

/**
 * A process and its children (`/proc/<pid>/task/<pid>/children`): the server's primary and its
 * `--workers` processes. Just `[pid]` when the kernel does not list children.
 */
export function processAndChildren(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return [pid, ...(children === '' ? [] : children.split(' ').map(Number))];
  } catch {
    return [pid];
  }
}

/** What a process used over a window: CPU % of one core, RSS mean and peak. */
export interface ProcessUsage {
  /** CPU time over wall time, in % of one core (200 % is two cores busy). */
  cpuPercent: number;
  /** CPU seconds used, and wall seconds, between the first and last sample. */
  cpuSeconds: number;
  wallSeconds: number;
  /** Share of the wall time its main thread waited for a CPU while runnable, in %. */
  runQueueWaitPercent: number;
  rssMeanBytes: number;
  rssMaxBytes: number;
  samples: number;
}

/** One reading of a process: when, CPU seconds so far, RSS. */
export interface ProcessSample {
  atMs: number;
  cpuSeconds: number;
  /** Main thread's run-queue wait so far (see `parseRunQueueWaitSeconds`). */
  waitSeconds: number;
  rssBytes: number;
}

/**
 * Samples a process's CPU time and RSS from `/proc` (Linux) at a fixed interval; `usage()`
 * reports the window since the last `reset()`. Reads that fail (the process is gone) are skipped.
 * Given a function of pids (e.g. {@link processAndChildren}), each sample sums over them: CPU
 * seconds, run-queue wait and RSS of the primary plus its workers.
 */
export class ProcessSampler {
  readonly #pids: () => readonly number[];
  readonly #timer: NodeJS.Timeout;
  #samples: ProcessSample[] = [];

  constructor(pid: number | (() => readonly number[]), intervalMs = 500) {
    this.#pids = typeof pid === 'number' ? () => [pid] : pid;
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs).unref();
  }

  /** Starts a new window at this instant. */
  reset(): void {
    this.#samples = [];
    this.#sample();
  }

  /** Usage from the window's start to now. */
  usage(): ProcessUsage {
    this.#sample();
    return summarizeSamples(this.#samples);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #sample(): void {
    try {
      const sample: ProcessSample = { atMs: performance.now(), cpuSeconds: 0, waitSeconds: 0, rssBytes: 0 };
      for (const pid of this.#pids()) {
        sample.cpuSeconds += parseCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
        sample.rssBytes += parseRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
        sample.waitSeconds += parseRunQueueWaitSeconds(readFileSync(`/proc/${pid}/schedstat`, 'utf8'));
      }
      this.#samples.push(sample);
    } catch {
      // A process has exited: keep what was sampled.
    }
  }
}

/** CPU and run-queue wait between the first and last sample, RSS mean and peak over all of them. */
export function summarizeSamples(samples: readonly ProcessSample[]): ProcessUsage {
  if (samples.length === 0)
    return {
      cpuPercent: NaN,
      cpuSeconds: NaN,
      wallSeconds: NaN,
      runQueueWaitPercent: NaN,
      rssMeanBytes: NaN,
      rssMaxBytes: NaN,
      samples: 0,
    };
  const first = samples[0];
  const last = samples[samples.length - 1];
  const wallSeconds = (last.atMs - first.atMs) / 1000;
  const cpuSeconds = last.cpuSeconds - first.cpuSeconds;
  const rss = samples.map((sample) => sample.rssBytes);
  return {
    cpuPercent: wallSeconds > 0 ? (cpuSeconds / wallSeconds) * 100 : NaN,
    cpuSeconds,
    wallSeconds,
    runQueueWaitPercent: wallSeconds > 0 ? ((last.waitSeconds - first.waitSeconds) / wallSeconds) * 100 : NaN,
    rssMeanBytes: rss.reduce((sum, value) => sum + value, 0) / rss.length,
    rssMaxBytes: Math.max(...rss),
    samples: samples.length,
  };
}
