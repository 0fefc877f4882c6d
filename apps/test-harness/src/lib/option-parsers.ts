import { InvalidArgumentError } from 'commander';

/** A commander argument parser for integers >= `min` (safe integers only). */
export function integerAtLeast(min: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min) {
      throw new InvalidArgumentError(`expected an integer >= ${min}, got "${value}"`);
    }
    return parsed;
  };
}

/** A commander argument parser for finite numbers > 0. */
export function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0) {
    throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  }
  return parsed;
}

/** Collects a repeatable or variadic option's values into one list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
