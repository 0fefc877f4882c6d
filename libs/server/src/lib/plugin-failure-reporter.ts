import type { PluginFailure, PluginFailureHandler } from '@jetstream-ts/plugins';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';

/**
 * Counts contained plugin failures in `jetstream_plugin_failures_total{plugin,stage}` and logs the
 * first failure of each plugin at each stage (a plugin failing on every event must not flood the log).
 *
 * @param registry Where the counter is registered.
 * @param logger Where the first failure of each plugin is logged.
 * @return The handler to give the ingest pipeline and the subscribe endpoint.
 */
export function pluginFailureReporter(registry: Registry, logger: Pick<Logger, 'error'>): PluginFailureHandler {
  const failures = new Counter({
    name: 'jetstream_plugin_failures_total',
    help: 'Values dropped because a plugin failed on them, by plugin and stage',
    labelNames: ['plugin', 'stage'] as const,
    registers: [registry],
  });
  const logged = new Set<string>();
  return ({ plugin, stage, error }: PluginFailure) => {
    failures.inc({ plugin, stage });
    const key = `${stage}\u0000${plugin}`;
    if (logged.has(key)) return;
    logged.add(key);
    logger.error({ plugin, stage, err: error }, 'plugin failed; its input was dropped (further failures are only counted)');
  };
}
