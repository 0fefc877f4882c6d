import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';

/** Below this many free bytes a failed write is put down to a full disk (lmdb often reports EIO then). */
const FULL_DISK_BYTES = 1024 * 1024;

/** lmdb reports system errors with their number as `code`; Node with the name. */
const ERRNO_NAMES: Record<number, string> = { 1: 'EPERM', 5: 'EIO', 13: 'EACCES', 28: 'ENOSPC', 30: 'EROFS', 122: 'EDQUOT' };
const EXPLANATIONS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/**
 * An event store failure as one line that names the cause and the path, e.g. `cannot commit to
 * the event store at data/events: the disk is full (ENOSPC: 0 bytes free)`, instead of lmdb's
 * `Commit failed (see commitError for details)`, whose real error sits in a promise (which
 * this reads, so it is never left rejected and unhandled).
 *
 * @example
 * await env.transaction(write).catch(async (error) => { throw await describeStoreFailure(error, path, 'commit to'); });
 *
 * @param error What lmdb threw or rejected with.
 * @param path The store's directory.
 * @param action What was being done: `open` or `commit to`.
 * @return An Error with that message, the original as its `cause`.
 */
export async function describeStoreFailure(error: unknown, path: string, action: 'open' | 'commit to'): Promise<Error> {
  return storeFailure(await underlying(error), path, action);
}

/**
 * Runs `open` (lmdb's), turning what it throws into one line naming the cause and the path
 * (lmdb says `Read-only file system: Attempting to setup locks`, without the path).
 *
 * @example
 * const env = openingStore(path, () => open({ path }));
 */
export function openingStore<T>(path: string, open: () => T): T {
  try {
    return open();
  } catch (error) {
    throw storeFailure(error, path, 'open');
  }
}

function storeFailure(cause: unknown, path: string, action: 'open' | 'commit to'): Error {
  const { code, message } = cause as { code?: unknown; message?: unknown };
  const name = typeof code === 'number' ? ERRNO_NAMES[code] : typeof code === 'string' ? code : undefined;
  // How full the disk is matters to a failed write, not to a failed open.
  const free = action === 'commit to' ? freeBytes(path) : undefined;
  const diskFull = name === 'ENOSPC' || (free !== undefined && free < FULL_DISK_BYTES);
  const explanation = diskFull ? EXPLANATIONS['ENOSPC'] : name === undefined ? undefined : EXPLANATIONS[name];
  const details = [name, typeof message === 'string' ? message : String(cause), free === undefined ? undefined : `${free} bytes free`]
    .filter((part) => part !== undefined)
    .join(': ');
  return new Error(`cannot ${action} the event store at ${path}: ${explanation ? `${explanation} (${details})` : details}`, { cause });
}

/** lmdb rejects a failed commit with a generic error whose `commitError` promise holds the real one. */
async function underlying(error: unknown): Promise<unknown> {
  const commitError = (error as { commitError?: unknown } | undefined)?.commitError;
  if (!(commitError instanceof Promise)) return error;
  return commitError.then(
    () => error,
    (cause: unknown) => cause,
  );
}

/** Free bytes for unprivileged writers on the file system holding `path` (or its nearest existing parent). */
function freeBytes(path: string): number | undefined {
  for (let candidate = path; ; ) {
    try {
      const stats = statfsSync(candidate);
      return stats.bavail * stats.bsize;
    } catch {
      const parent = dirname(candidate);
      if (parent === candidate) return undefined;
      candidate = parent;
    }
  }
}
