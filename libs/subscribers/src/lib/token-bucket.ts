/**
 * A token bucket, written as the generic cell rate algorithm: one number, the time the bucket
 * is next empty, instead of a token count refilled by a timer. It paces a client address's
 * outgoing events (`--max-sub-rate`, shared by that address's connections, as v1's per-IP
 * limiter) and polices a connection's inbound messages and bytes (`tryTake`).
 *
 * v1's limiter has burst `int(rate)`, so a rate below 1 stops every subscriber at its first
 * event; here the burst is at least one token.
 */
export class TokenBucket {
  private readonly intervalMs: number;
  private readonly toleranceMs: number;
  /** When the bucket would be empty again if nothing more were taken. */
  private emptyAtMs = Number.NEGATIVE_INFINITY;

  /**
   * @param eventsPerSecond The sustained rate, > 0.
   * @param burst Events that may go at once after a pause; defaults to one second's worth.
   */
  constructor(eventsPerSecond: number, burst = eventsPerSecond) {
    if (!(eventsPerSecond > 0)) throw new RangeError(`eventsPerSecond must be > 0, got ${eventsPerSecond}`);
    this.intervalMs = 1000 / eventsPerSecond;
    this.toleranceMs = (Math.max(1, Math.floor(burst)) - 1) * this.intervalMs;
  }

  /**
   * Takes one token. Returns how many ms the caller must wait before sending (0: now); the
   * token is reserved either way, so a caller that waits longer than asked simply banks credit.
   */
  take(nowMs: number): number {
    const sendAtMs = Math.max(nowMs, this.emptyAtMs - this.toleranceMs);
    this.emptyAtMs = Math.max(this.emptyAtMs, sendAtMs) + this.intervalMs;
    return sendAtMs - nowMs;
  }

  /**
   * Takes `cost` tokens if the bucket holds them now, else takes nothing: for policing (a flood
   * is refused) rather than pacing.
   *
   * @param nowMs The current time.
   * @param cost Tokens to take (e.g. a message's bytes); at most the burst can ever pass.
   * @return Whether they were taken.
   */
  tryTake(nowMs: number, cost = 1): boolean {
    const emptyAtMs = Math.max(this.emptyAtMs, nowMs) + cost * this.intervalMs;
    if (emptyAtMs - nowMs > this.toleranceMs + this.intervalMs) return false;
    this.emptyAtMs = emptyAtMs;
    return true;
  }
}
