import { closeSync, openSync, writeSync } from 'node:fs';
import { createLineSink, type LineSink } from './line-sink.js';

/** Where converted events go: a line sink, plus how the destination can fail while writing. */
export interface EventOutput {
  lines: LineSink;
  /** Flushes and closes the destination (stdout itself stays open). */
  close(): void;
  /**
   * Registers the call made when the destination stops taking output: `EPIPE` when the reader
   * of a pipe went away (`jetstream convert … | head`), another error otherwise.
   */
  onWriteError(listener: (error: NodeJS.ErrnoException) => void): void;
}

/**
 * Opens `path` for writing (truncating it), or uses `stdout` when no path is given. File writes
 * are synchronous, so a fast reader never piles output up in memory (so are stdout writes to
 * files and pipes on Linux).
 */
export function openEventOutput(path: string | undefined, stdout: NodeJS.WritableStream): EventOutput {
  if (path !== undefined) {
    const fd = openSync(path, 'w');
    const lines = createLineSink((chunk) => {
      for (let written = 0; written < chunk.length;) written += writeSync(fd, chunk, written);
    });
    return {
      lines,
      close: () => {
        lines.flush();
        closeSync(fd);
      },
      onWriteError: () => undefined,
    };
  }
  const listeners: ((error: NodeJS.ErrnoException) => void)[] = [];
  let failed = false;
  // Stays registered after close: a write still in flight may fail later, and an unhandled
  // 'error' event would crash the process.
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (failed) return;
    failed = true;
    for (const listener of listeners) listener(error);
  });
  const lines = createLineSink((chunk) => {
    if (!failed) stdout.write(chunk);
  });
  return { lines, close: () => lines.flush(), onWriteError: (listener) => listeners.push(listener) };
}
