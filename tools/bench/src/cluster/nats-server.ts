import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { startLocalNatsServer } from '@jetstream-ts/nats';
import type { BenchResources } from '../fanout/bench-processes.js';

/** Where Debian puts nats-server (`/usr/sbin`, often not on a user's PATH), searched after PATH. */
export const NATS_SERVER_DIRS = ['/usr/sbin', '/usr/local/sbin'];

/**
 * The first `dir/name` that `isExecutable` accepts, over the dirs of `searchPath` (a PATH value)
 * and then `extraDirs`; undefined when none is.
 *
 * @example
 * findExecutable('nats-server', process.env.PATH ?? '', NATS_SERVER_DIRS); // '/usr/sbin/nats-server'
 */
export function findExecutable(
  name: string,
  searchPath: string,
  extraDirs: readonly string[] = [],
  isExecutable: (path: string) => boolean = canExecute,
): string | undefined {
  const dirs = [...searchPath.split(delimiter).filter((dir) => dir !== ''), ...extraDirs];
  return dirs.map((dir) => join(dir, name)).find(isExecutable);
}

function canExecute(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `nats-server --version`'s answer, e.g. `v2.9.10` (the command's path when it gives none). */
export function natsServerVersion(command: string): string {
  const output = spawnSync(command, ['--version'], { encoding: 'utf8', timeout: 5_000 }).stdout ?? '';
  return /v\d+\.\d+\.\d+\S*/.exec(output)?.[0] ?? command;
}

export interface BenchNatsServer {
  url: string;
  /** Its process, for sampling CPU and RSS. */
  pid: number;
  stop(): Promise<void>;
}

/**
 * `nats-server -js` on loopback with its store in a temporary directory (`startLocalNatsServer`),
 * adopted by `resources` so that it ends with the benchmark however that ends.
 */
export async function startBenchNats(resources: BenchResources, command: string): Promise<BenchNatsServer> {
  const storeDir = resources.tempDir('nats');
  const nats = await startLocalNatsServer({ storeDir, command });
  const stop = resources.adopt({ pid: nats.pid, stop: () => nats.stop() });
  return { url: nats.url, pid: nats.pid, stop };
}
