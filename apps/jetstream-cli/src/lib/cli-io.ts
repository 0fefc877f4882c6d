/** The streams a command writes to: process.stdout/stderr in the binary, collectors in tests. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Asks a long-running command (subscribe, record, stats) to stop: Ctrl-C in the binary. */
  stop?: AbortSignal;
}

/** Resolves when `signal` aborts (at once if it already has); never without one. */
export function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return new Promise(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
