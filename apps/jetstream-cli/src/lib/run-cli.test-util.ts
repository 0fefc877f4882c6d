import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { encodeFrameLog } from '@jetstream-ts/frames';
import { createProgram } from './program.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function collector(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/**
 * Runs `jetstream <argv>` in this process, with stdout (or the given stream) and stderr
 * collected; `stop` stands for Ctrl-C.
 */
export async function runCli(argv: string[], stdout?: Writable, stop?: AbortSignal): Promise<CliRun> {
  const out = collector();
  const err = collector();
  const { run } = createProgram({ stdout: stdout ?? out.stream, stderr: err.stream, stop });
  const code = await run(argv);
  // Let the collectors take what was written.
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: out.text(), stderr: err.text() };
}

/** A scratch folder for one test file; `path(name)` names a file in it. */
export function scratchDir(): {
  path(name: string): string;
  writeLog(name: string, frames: Uint8Array[]): string;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'jetstream-cli-'));
  return {
    path: (name) => join(dir, name),
    writeLog: (name, frames) => {
      const path = join(dir, name);
      writeFileSync(path, encodeFrameLog(frames));
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
