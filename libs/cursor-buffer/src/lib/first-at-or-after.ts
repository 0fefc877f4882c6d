/**
 * Index of the first of `count` ascending `time_us` values (read through `timeAt`) that is
 * `>= timeUs`, or `count` when none is: a binary search shared by the in-memory logs.
 */
export function firstAtOrAfter(count: number, timeAt: (index: number) => number, timeUs: number): number {
  let low = 0;
  let high = count;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (timeAt(middle) < timeUs) low = middle + 1;
    else high = middle;
  }
  return low;
}
