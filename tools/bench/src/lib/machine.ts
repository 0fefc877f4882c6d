import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Where a benchmark runs: Node version, CPU model, and the CPUs this process may use (Linux). */
export function describeMachine(): string {
  const all = cpus();
  let allowed = String(all.length);
  try {
    // Set by `taskset -c N`: the benchmark is meant to run on one core.
    allowed = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? allowed;
  } catch {
    // Not Linux: report the CPU count.
  }
  return `Node ${process.version}, ${all[0]?.model ?? 'unknown CPU'}, CPUs allowed: ${allowed} of ${all.length}`;
}
