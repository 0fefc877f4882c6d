/** Reconnect timing: exponential backoff with jitter, reset after a healthy connection. */
export interface BackoffOptions {
  /** Delay before the first retry, in ms. Default 1,000. */
  initialDelay?: number;
  /** Upper bound of any delay, in ms. Default 30,000. */
  maxDelay?: number;
  /** A connection that stayed open this long (ms) resets the backoff to `initialDelay`. Default 60,000. */
  resetAfter?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialDelay: 1_000, maxDelay: 30_000, resetAfter: 60_000 };

/**
 * The delay before retry number `attempt` (0 for the first): `initialDelay * 2^attempt`, capped
 * at `maxDelay`, then jittered into its upper half (`[d/2, d]`) so that many servers restarted
 * together do not dial the relay in lockstep, while a retry never comes sooner than half the
 * nominal delay.
 *
 * @example
 * import { backoffDelay } from '@jetstream-ts/upstream';
 *
 * backoffDelay(0, {}, () => 1); // 1000
 * backoffDelay(10, {}, () => 1); // 30000 (capped)
 *
 * @param attempt Number of consecutive failed connections before this retry.
 * @param options Backoff settings; missing ones take `DEFAULT_BACKOFF`.
 * @param random Uniform [0, 1) source (Math.random by default; injected in tests).
 * @return Delay in whole milliseconds.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const { initialDelay, maxDelay } = { ...DEFAULT_BACKOFF, ...options };
  const nominal = Math.min(maxDelay, initialDelay * 2 ** Math.min(attempt, 52));
  return Math.round(nominal / 2 + (random() * nominal) / 2);
}
