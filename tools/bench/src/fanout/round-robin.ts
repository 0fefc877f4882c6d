/**
 * Share `share` of `shares` of a list dealt out in turn: items `share`, `share + shares`, … (how
 * the load generator group spreads subscribers over its processes).
 *
 * @example
 * roundRobinShare(['a', 'b', 'c', 'd', 'e'], 2, 1); // ['b', 'd']
 */
export function roundRobinShare<T>(items: readonly T[], shares: number, share: number): T[] {
  return items.filter((_, index) => index % shares === share);
}

/**
 * The URL the `index`-th subscriber of a process connects to: the URLs in turn. Each process
 * deals its own subscribers, so that with as many processes as URLs every process still spreads
 * its share over every URL (and each URL gets every kind of subscriber of the mix).
 *
 * @example
 * [0, 1, 2].map((index) => roundRobinUrl(['ws://edge-1', 'ws://edge-2'], index)); // edge-1, edge-2, edge-1
 */
export function roundRobinUrl(urls: readonly string[], index: number): string {
  if (urls.length === 0) throw new RangeError('no URL to connect to');
  return urls[index % urls.length];
}
