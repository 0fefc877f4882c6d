/**
 * What a command talks to: its output streams and the signal that asks a long-running command
 * (relay, record, pds) to stop. The binary passes process streams and SIGINT/SIGTERM; tests pass
 * collectors and their own AbortController.
 */
export interface HarnessIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stop: AbortSignal;
}

/** Resolves when `signal` aborts (at once if it already has). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
