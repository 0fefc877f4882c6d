import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLmdbEventStore } from './lmdb-event-store.js';

const writerPath = fileURLToPath(new URL('./crash-writer.test-util.ts', import.meta.url));
const registerPath = fileURLToPath(new URL('../testing/register-typescript.mjs', import.meta.url));

/**
 * Starts the writer, lets it commit a random number of batches, then kills it with SIGKILL.
 * Resolves to the last batch the writer saw committed (its append resolved) before it died.
 */
async function runAndKill(path: string): Promise<number> {
  const child = spawn(process.execPath, ['--conditions=@jetstream-ts/source', '--import', registerPath, writerPath, path], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killAfter = 5 + Math.floor(Math.random() * 60);
  let committed = 0;
  let acknowledged = 0;
  let killing = false;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  let partialLine = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partialLine + chunk.toString()).split('\n');
    partialLine = lines.pop() ?? '';
    for (const line of lines) {
      committed += 1;
      acknowledged = Number(line.replace('committed ', ''));
    }
    // Kill while the writer is busy, at an arbitrary point of a later append.
    if (committed >= killAfter && !killing) {
      killing = true;
      setTimeout(() => child.kill('SIGKILL'), Math.random() * 20);
    }
  });
  const signal = await exited;
  if (signal !== 'SIGKILL') throw new Error(`writer exited by itself (${signal}): ${stderr}`);
  return acknowledged;
}

interface WriterJson {
  batch: number;
  index: number;
  size: number;
}

describe('lmdb event store after kill -9', () => {
  let directory: string;
  beforeEach(() => (directory = mkdtempSync(join(tmpdir(), 'cursor-buffer-crash-'))));
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('holds exactly the committed batches, each whole, with the matching relay cursor', async () => {
    const path = join(directory, 'events');
    let previousCount = 0;
    for (let round = 0; round < 6; round++) {
      const acknowledged = await runAndKill(path);

      const store = openLmdbEventStore({ path });
      try {
        const events = store.readFrom(0, Number.MAX_SAFE_INTEGER);
        const cursor = store.relayCursor() ?? 0;
        // Nothing acknowledged is lost: every batch whose append resolved is there.
        expect(cursor).toBeGreaterThanOrEqual(acknowledged);
        const parsed = events.map((event) => JSON.parse(new TextDecoder().decode(event.json)) as WriterJson);
        // Every time_us from 1 to the head, once: nothing lost, nothing written twice.
        expect(events.map((event) => event.time_us)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
        expect(store.headTimeUs()).toBe(events.length);
        // Batches 1..cursor, each complete and in order: nothing half-written, nothing beyond the cursor.
        let position = 0;
        for (let batch = 1; batch <= cursor; batch++) {
          const size = parsed[position]?.size;
          expect(parsed.slice(position, position + size)).toEqual(
            Array.from({ length: size }, (_, index) => expect.objectContaining({ batch, index, size })),
          );
          expect(events.slice(position, position + size).every((event) => event.relaySeq === batch)).toBe(true);
          position += size;
        }
        expect(position).toBe(events.length);
        expect(events.length).toBeGreaterThan(previousCount);
        previousCount = events.length;
      } finally {
        await store.close();
      }
    }
  }, 120_000);
});
