import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';

export interface DiskUsage {
  /** Blocks allocated on disk, as `du` counts them. */
  allocatedBytes: number;
  /** Sum of file sizes, as `du --apparent-size` counts them. */
  apparentBytes: number;
}

/** What the files under `dir` (recursively) take on disk. */
export function diskUsage(dir: string): DiskUsage {
  let allocatedBytes = 0;
  let apparentBytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = diskUsage(path);
      allocatedBytes += inner.allocatedBytes;
      apparentBytes += inner.apparentBytes;
    } else if (entry.isFile()) {
      const stats = statSync(path);
      allocatedBytes += stats.blocks * 512;
      apparentBytes += stats.size;
    }
  }
  return { allocatedBytes, apparentBytes };
}

/** The pages an lmdb database's tree holds, and its entries. */
export interface LmdbTreeUsage {
  bytes: number;
  entries: number;
}

/**
 * Bytes in the pages of one database of a closed lmdb environment (branch, leaf and overflow
 * pages): what its data takes once free pages are not counted. After deletions lmdb keeps the
 * file at its size and reuses the freed pages for later writes, so this, not the file size, is
 * what the retained events occupy.
 */
export function lmdbTreeUsage(path: string, database: string): LmdbTreeUsage {
  const env = open({ path, readOnly: true });
  try {
    const stats = env.openDB(database, { encoding: 'binary' }).getStats() as {
      pageSize: number;
      treeBranchPageCount: number;
      treeLeafPageCount: number;
      overflowPages: number;
      entryCount: number;
    };
    const pages = stats.treeBranchPageCount + stats.treeLeafPageCount + stats.overflowPages;
    return { bytes: pages * stats.pageSize, entries: stats.entryCount };
  } finally {
    void env.close();
  }
}
