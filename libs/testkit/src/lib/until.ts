/**
 * Polls `condition` every 20 ms until it holds; rejects naming `what` after `timeoutMs`.
 *
 * @example
 * import { until } from '@jetstream-ts/testkit';
 * await until(() => received.length === 3, 'three events');
 *
 * @param condition What to wait for (may be async).
 * @param what How the timeout error names it.
 * @param timeoutMs How long to wait at most.
 */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
