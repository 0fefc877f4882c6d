import { levels, type DestinationStream } from 'pino';

/** Where pretty lines go: a stream, colored when it is a terminal. */
export interface PrettyLogTarget {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** pino's own fields: shown as the time, level and message, or not at all. */
const OWN_FIELDS = new Set(['time', 'level', 'msg', 'pid', 'hostname', 'name']);
const LEVEL_COLORS: Record<string, string> = { trace: '90', debug: '90', info: '32', warn: '33', error: '31', fatal: '35' };
const LEVEL_WIDTH = 5;

/**
 * A pino destination that writes each line for people instead of machines:
 * `12:04:05.123 WARN  relay connection lost, reconnecting reason=closed retryInMs=812`, an
 * error's stack indented below its line, colored when `target` is a terminal (and `NO_COLOR`
 * is not set). For log shippers use pino's JSON (the default destination).
 *
 * @example
 * import { prettyLogDestination } from '@jetstream-ts/server';
 * import { pino } from 'pino';
 *
 * const url = 'wss://bsky.network';
 * const logger = pino({ name: 'jetstream' }, prettyLogDestination(process.stdout));
 * logger.info({ url }, 'connected to relay'); // 12:04:05.123 INFO  connected to relay url=ws://…
 *
 * @param target Where to write (`process.stdout`).
 * @param colors Whether to color the output (default: `target` is a terminal and `NO_COLOR` is unset).
 * @return A destination for `pino(options, destination)`.
 */
export function prettyLogDestination(target: PrettyLogTarget, colors = target.isTTY === true && !process.env['NO_COLOR']): DestinationStream {
  return { write: (line: string) => void target.write(prettyLogLine(line, colors)) };
}

/**
 * One pino JSON line as text (see {@link prettyLogDestination}); a line that is not JSON is kept as it is.
 *
 * @param line A line pino wrote.
 * @param colors Whether to add ANSI colors.
 * @return The text, ending with a newline.
 */
export function prettyLogLine(line: string, colors = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const paint = (code: string, text: string) => (colors ? `\u001b[${code}m${text}\u001b[0m` : text);
  const level = levelName(entry['level']);
  const time = typeof entry['time'] === 'number' ? clockTime(entry['time']) : '';
  const stacks: string[] = [];
  const fields = Object.entries(entry)
    .filter(([key]) => !OWN_FIELDS.has(key))
    .map(([key, value]) => {
      const stack = errorStack(value);
      if (stack !== undefined) stacks.push(stack.replace(/^/gm, '    '));
      return `${paint('2', `${key}=`)}${fieldValue(value)}`;
    });
  const head = [paint('2', time), paint(LEVEL_COLORS[level] ?? '0', level.toUpperCase().padEnd(LEVEL_WIDTH)), String(entry['msg'] ?? ''), ...fields];
  return `${[head.join(' '), ...stacks].join('\n')}\n`;
}

function levelName(level: unknown): string {
  return typeof level === 'number' ? (levels.labels[level] ?? String(level)) : String(level);
}

/** Local wall-clock time with milliseconds: the date is in every JSON line, not needed on a terminal. */
function clockTime(epochMs: number): string {
  const date = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/** Bare when unambiguous (`reason=closed`, `retryInMs=812`), JSON otherwise (`detail="code 1006"`). */
function fieldValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (isError(value)) return JSON.stringify(`${String(value['type'] ?? 'Error')}: ${String(value['message'] ?? '')}`);
  return JSON.stringify(value) ?? String(value);
}

/** pino's serialized errors (`err`) carry `type`, `message` and `stack`. */
function isError(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)['stack'] === 'string' && 'message' in value;
}

function errorStack(value: unknown): string | undefined {
  return isError(value) ? String(value['stack']) : undefined;
}
