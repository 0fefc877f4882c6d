import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { METRIC_NAMES } from '@jetstream-ts/metrics';
import { Gauge, type Registry } from 'prom-client';

/**
 * Registers `jetstream_store_size_bytes`: the size of the files in the store's directory (the
 * lmdb data and lock files), read at each scrape, so nothing runs between scrapes.
 *
 * @example
 * import { join } from 'node:path';
 * import { registerStoreSizeGauge } from '@jetstream-ts/server';
 *
 * // registry: a prom-client Registry; config: the ServerConfig
 * registerStoreSizeGauge(registry, join(config.dataDir, 'events'));
 *
 * @param registry Where to register it.
 * @param directory The store's directory.
 */
export function registerStoreSizeGauge(registry: Registry, directory: string): void {
  new Gauge({
    name: METRIC_NAMES.storeSize,
    help: "Bytes on disk of the event store's files",
    registers: [registry],
    collect() {
      this.set(directorySize(directory));
    },
  });
}

function directorySize(directory: string): number {
  try {
    return readdirSync(directory, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .reduce((total, entry) => total + statSync(join(directory, entry.name)).size, 0);
  } catch {
    // Not created yet, or just removed: nothing on disk.
    return 0;
  }
}
