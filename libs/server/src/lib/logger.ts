import { pino, type Level, type Logger } from 'pino';
import { prettyLogDestination, type PrettyLogTarget } from './pretty-log.js';

/** The log levels `--log-level` takes: pino's, from most to least verbose, and `silent`. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = Level | 'silent';
export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  level: LogLevel;
  /** Default: pretty when `target` is a terminal, JSON lines otherwise. */
  format?: LogFormat;
  /** Default `process.stdout`. */
  target?: PrettyLogTarget;
}

/**
 * The server's logger: pino, named `jetstream`, at `level`, as JSON lines (pino's own format,
 * for log shippers) or pretty text for people (see `prettyLogDestination`).
 *
 * @example
 * import { createLogger } from '@jetstream-ts/server';
 *
 * const url = 'wss://bsky.network';
 * const logger = createLogger({ level: 'info' }); // pretty on a terminal, JSON when piped
 * logger.info({ url }, 'connected to relay');
 *
 * @param options Level, format and where to write.
 * @return The logger.
 */
export function createLogger(options: LoggerOptions): Logger {
  const target = options.target ?? process.stdout;
  const format = options.format ?? (target.isTTY === true ? 'pretty' : 'json');
  const settings = { name: 'jetstream', level: options.level };
  if (format === 'pretty') return pino(settings, prettyLogDestination(target));
  return options.target === undefined ? pino(settings) : pino(settings, { write: (line: string) => void target.write(line) });
}
