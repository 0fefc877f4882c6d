import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createProgram } from './program.js';

export interface HarnessRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A stream that keeps what is written to it; `text()` reads it so far. */
export function collector(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/**
 * Runs `jetstream-harness <argv>` in this process with collected output. `stop` stands for
 * Ctrl-C; `stdout` lets a test watch the output while the command runs.
 */
export async function runHarness(
  argv: string[],
  options: { stop?: AbortSignal; stdout?: ReturnType<typeof collector> } = {},
): Promise<HarnessRun> {
  const out = options.stdout ?? collector();
  const err = collector();
  const { run } = createProgram({
    stdout: out.stream,
    stderr: err.stream,
    stop: options.stop ?? new AbortController().signal,
  });
  const code = await run(argv);
  // Let the collectors take what was written.
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: out.text(), stderr: err.text() };
}

/** A scratch folder for one test file. */
export function scratchDir(): { path(name: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'jetstream-harness-'));
  return { path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Polls until `condition` holds (bounded). */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
