/** Reconnect timing. */
export interface ReconnectOptions {
  /** Nominal delay before the first retry, in ms. Default 250. */
  initialDelayMs?: number;
  /** Upper bound of the nominal delay, in ms. Default 30,000. */
  maxDelayMs?: number;
  /** A connection that delivered an event, or stayed open this long (ms), resets the delays. Default 30,000. */
  resetAfterMs?: number;
}

export const DEFAULT_RECONNECT: Required<ReconnectOptions> = { initialDelayMs: 250, maxDelayMs: 30_000, resetAfterMs: 30_000 };

/**
 * The wait before reconnect number `attempt` (0 for the first after a healthy connection): the
 * nominal delay doubles from `initialDelayMs` up to `maxDelayMs`, and a random factor in
 * [0.5, 1) spreads clients that lost the same server apart so they do not return in lockstep.
 *
 * @example
 * import { reconnectDelay } from '@jetstream-ts/client';
 *
 * reconnectDelay(0, {}, () => 0); // 125
 * reconnectDelay(20, {}, () => 0.999); // 29985
 *
 * @param attempt Failed connections since the last healthy one.
 * @param options Delays; missing ones take {@link DEFAULT_RECONNECT}.
 * @param random Uniform [0, 1) source.
 * @return Whole milliseconds.
 */
export function reconnectDelay(attempt: number, options: ReconnectOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialDelayMs ?? DEFAULT_RECONNECT.initialDelayMs;
  const max = options.maxDelayMs ?? DEFAULT_RECONNECT.maxDelayMs;
  const nominal = Math.min(max, initial * 2 ** Math.min(attempt, 40));
  return Math.round(nominal * (0.5 + random() / 2));
}
