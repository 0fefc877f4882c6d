import { createServerContainer, registerPluginModules, resolveJetstreamServer, TOKENS, type ServerConfig } from '@jetstream-ts/server';
import { serverCommand } from './config.js';

/** v1 gives shutdown 10 s in all; past that we exit anyway. */
const SHUTDOWN_DEADLINE_MS = 10_000;

/**
 * Parses the command line, starts the server, and stops it on SIGTERM/SIGINT: it stops reading
 * the relay, commits what was read, closes the listeners and the store, and exits 0 (1 if
 * ingestion failed or the shutdown overran its 10 s).
 *
 * @param argv `process.argv`.
 */
export async function runServerCommand(argv: string[]): Promise<void> {
  await serverCommand(serve).parseAsync(argv);
}

async function serve(config: ServerConfig): Promise<void> {
  const container = createServerContainer(config);
  const logger = container.resolve(TOKENS.logger);
  const plugins = await registerPluginModules(container, config.plugins);
  if (plugins.length > 0) logger.info({ plugins: plugins.map(({ name, stage }) => `${name}@${stage}`) }, 'plugins loaded');
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
}
