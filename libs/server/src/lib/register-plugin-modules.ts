import { loadPlugins, type JetstreamPlugin } from '@jetstream-ts/plugins';
import type { DependencyContainer } from 'tsyringe';
import { TOKENS } from './tokens.js';

/**
 * Loads plugin modules (`--plugin`) and registers their plugins on the container, after the ones
 * already there, in the order given. Loading failures reject with a `PluginLoadError` naming the
 * module: they are fatal, since a server asked for a plugin must not run without it.
 *
 * @example
 * import { createServerContainer, registerPluginModules, resolveJetstreamServer, serverConfig } from '@jetstream-ts/server';
 *
 * const container = createServerContainer(serverConfig());
 * await registerPluginModules(container, ['./posts-only.mjs']);
 * await resolveJetstreamServer(container).start();
 *
 * @param container From `createServerContainer`.
 * @param specifiers Module paths (relative to `cwd`) or package names.
 * @param options Where relative paths start (the working directory) and the environment given to factories.
 * @return The plugins registered.
 */
export async function registerPluginModules(
  container: DependencyContainer,
  specifiers: readonly string[],
  options: { cwd?: string; env?: Readonly<Record<string, string | undefined>> } = {},
): Promise<JetstreamPlugin[]> {
  const plugins = await loadPlugins(specifiers, { cwd: options.cwd ?? process.cwd(), env: options.env ?? process.env });
  for (const plugin of plugins) container.register(TOKENS.plugins, { useValue: plugin });
  return plugins;
}
