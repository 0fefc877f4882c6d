import type { DependencyContainer } from 'tsyringe';
import { resolveJetstreamServer, resolvePlugins } from './container.js';
import type { JetstreamServer } from './jetstream-server.js';
import { TOKENS } from './tokens.js';
import { registerWorkerPool } from './worker-pool.js';

/** v1 gives shutdown 10 s in all; past that we exit anyway. */
const SHUTDOWN_DEADLINE_MS = 10_000;

/**
 * Runs the container's server as a process's main job: starts it, and on SIGTERM/SIGINT stops
 * it (stop reading the relay, commit what was read, close subscribers, listeners and the store)
 * and exits 0; exits 1 if ingestion fails or the shutdown overruns its 10 s.
 *
 * @example
 * import { createServerContainer, runUntilSignal, serverConfig } from '@jetstream-ts/server';
 * await runUntilSignal(createServerContainer(serverConfig({ dataDir: '/tmp/jetstream' })));
 *
 * @param container From `createServerContainer`, with any registrations made.
 * @return The started server.
 */
export async function runUntilSignal(container: DependencyContainer): Promise<JetstreamServer> {
  const logger = container.resolve(TOKENS.logger);
  logger.info({ plugins: resolvePlugins(container).map(({ name, stage }) => `${name}@${stage}`) }, 'plugins in the pipeline');
  registerWorkerPool(container);
  const server = resolveJetstreamServer(container);
  const shutdown = (exitCode: number) => {
    setTimeout(() => {
      logger.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown overran its deadline, exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    server.stop().then(
      () => process.exit(exitCode),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down');
      shutdown(0);
    });
  }
  server.failed.catch(() => shutdown(1));
  await server.start();
  return server;
}
