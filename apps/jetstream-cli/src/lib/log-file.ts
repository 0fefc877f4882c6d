import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { isZstdCompressed } from '@jetstream-ts/frames';

/** The size of a plain (uncompressed) log file, for a progress bar; undefined if compressed or unreadable. */
export function plainLogSize(path: string): number | undefined {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = new Uint8Array(4);
      readSync(fd, head, 0, 4, 0);
      return isZstdCompressed(head) ? undefined : statSync(path).size;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}
