import { PluginLoadError } from '@jetstream-ts/plugins';
import { createServerContainer, isSubscriberWorker, runSubscriberWorker, registerClusterRole, registerPluginModules, runUntilSignal, type ServerConfig } from '@jetstream-ts/server';
import { serverCommand } from './config.js';

/**
 * Parses the command line and runs the server until SIGTERM/SIGINT (see `runUntilSignal`), with
 * the plugin modules of `--plugin` loaded after the defaults, in its cluster role with `--nats-url`.
 *
 * @param argv `process.argv`.
 */
export async function runServerCommand(argv: string[]): Promise<void> {
  await serverCommand(serve).parseAsync(argv);
}

async function serve(config: ServerConfig): Promise<void> {
  const container = createServerContainer(config);
  try {
    await registerPluginModules(container, config.plugins);
  } catch (error) {
    // A plugin asked for and not loadable is fatal: one line naming the module, exit 1.
    if (!(error instanceof PluginLoadError)) throw error;
    console.error(`jetstream-server: ${error.message}`);
    process.exit(1);
  }
  // A --workers process serves /subscribe from the primary's store, and nothing else.
  if (isSubscriberWorker()) return runSubscriberWorker(container);
  try {
    await registerClusterRole(container);
  } catch (error) {
    // NATS unreachable, without JetStream, or the stream misconfigured: one line saying which, exit 1.
    console.error(`jetstream-server: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  await runUntilSignal(container);
}
