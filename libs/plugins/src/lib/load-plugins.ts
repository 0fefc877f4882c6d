import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PLUGIN_STAGES, type JetstreamPlugin } from './plugin.js';

/** What a plugin module's factory is given. */
export interface PluginContext {
  /** The module specifier it was loaded from, as given. */
  readonly specifier: string;
  /** The process environment, for plugins that take settings from `JETSTREAM_PLUGIN_*` variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * What a plugin module exports, as `default` (or as `plugin` / `plugins`): a plugin, a list of
 * them, or a factory that makes them from a {@link PluginContext} (it may be async).
 */
export type PluginModuleExport =
  | JetstreamPlugin
  | readonly JetstreamPlugin[]
  | ((
      context: PluginContext,
    ) =>
      JetstreamPlugin | readonly JetstreamPlugin[] | Promise<JetstreamPlugin | readonly JetstreamPlugin[]>);

/** A plugin module could not be loaded or does not export plugins; the message names the module. */
export class PluginLoadError extends Error {
  override readonly name = 'PluginLoadError';
}

/**
 * Imports plugin modules (ESM) and returns their plugins, in the order given. A specifier that
 * starts with `.` or `/` is a file path relative to `cwd`; anything else is a package name,
 * resolved as Node resolves it from this library. Every failure here is fatal by design: a server
 * that was asked for a plugin must not run without it.
 *
 * @example
 * import { loadPlugins } from '@jetstream-ts/plugins';
 * const plugins = await loadPlugins(['./posts-only.mjs'], { cwd: process.cwd(), env: process.env });
 *
 * @param specifiers Module paths or package names.
 * @param options Where relative paths start, and the environment given to factories.
 * @return The plugins.
 * @throws PluginLoadError
 */
export async function loadPlugins(
  specifiers: readonly string[],
  options: { cwd: string; env: Readonly<Record<string, string | undefined>> },
): Promise<JetstreamPlugin[]> {
  const plugins: JetstreamPlugin[] = [];
  for (const specifier of specifiers) {
    let module: Record<string, unknown>;
    try {
      module = (await import(moduleUrl(specifier, options.cwd))) as Record<string, unknown>;
    } catch (error) {
      throw new PluginLoadError(
        `plugin module ${specifier} failed to load: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    const exported = (module['default'] ?? module['plugin'] ?? module['plugins']) as
      PluginModuleExport | undefined;
    if (exported === undefined)
      throw new PluginLoadError(
        `plugin module ${specifier} exports no plugin (expected a default export, or 'plugin' / 'plugins')`,
      );
    let made: JetstreamPlugin | readonly JetstreamPlugin[];
    try {
      made = typeof exported === 'function' ? await exported({ specifier, env: options.env }) : exported;
    } catch (error) {
      throw new PluginLoadError(
        `plugin module ${specifier}: its factory failed: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    for (const plugin of Array.isArray(made)
      ? (made as readonly JetstreamPlugin[])
      : [made as JetstreamPlugin]) {
      plugins.push(checkedPlugin(plugin, specifier));
    }
  }
  return plugins;
}

function moduleUrl(specifier: string, cwd: string): string {
  if (specifier.startsWith('.') || isAbsolute(specifier)) return pathToFileURL(resolve(cwd, specifier)).href;
  return specifier;
}

function checkedPlugin(plugin: unknown, specifier: string): JetstreamPlugin {
  const candidate = plugin as Partial<Record<string, unknown>> | null;
  const fail = (what: string) => new PluginLoadError(`plugin module ${specifier}: ${what}`);
  if (candidate === null || typeof candidate !== 'object') throw fail('a plugin must be an object');
  if (typeof candidate['name'] !== 'string' || candidate['name'] === '')
    throw fail('a plugin needs a non-empty string name');
  const stage = candidate['stage'];
  if (!PLUGIN_STAGES.includes(stage as JetstreamPlugin['stage']))
    throw fail(`plugin ${candidate['name']}: stage must be one of ${PLUGIN_STAGES.join(', ')}`);
  const member = stage === 'subscriber' ? 'session' : 'operator';
  if (typeof candidate[member] !== 'function')
    throw fail(`plugin ${candidate['name']}: a ${String(stage)} plugin needs a function '${member}'`);
  return candidate as unknown as JetstreamPlugin;
}
