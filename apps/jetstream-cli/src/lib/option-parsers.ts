import { InvalidArgumentError } from 'commander';
import { subscribeEndpoint } from '@jetstream-ts/client';

/** Repeatable option: `--collection a --collection b` → ['a', 'b']. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A whole number ≥ `min`. */
export function integerAtLeast(min: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min) {
      throw new InvalidArgumentError(`expected a whole number of at least ${min}`);
    }
    return parsed;
  };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as `500ms`, `30s`, `5m`, `2h`, `1d` (a bare number is seconds), in ms. */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] ?? 's']! : NaN;
  if (!(ms > 0)) throw new InvalidArgumentError('expected a duration such as 30s, 5m, 2h or 1d');
  return ms;
}

/** A Jetstream URL (ws, wss, http, https), checked up front so a typo fails before connecting. */
export function parseJetstreamUrl(value: string): string {
  try {
    subscribeEndpoint(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return value;
}
