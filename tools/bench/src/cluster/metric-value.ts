/**
 * The value of a metric's first sample (whatever its labels) in a Prometheus text exposition;
 * undefined when absent.
 *
 * @example
 * metricValue('# HELP x\nconsumer_last_seq{socket_url="ws://relay"} 42\n', 'consumer_last_seq'); // 42
 */
export function metricValue(exposition: string, name: string): number | undefined {
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    // The name ends at a space or the label set: consumer_last_seq, not consumer_last_seq_total.
    const labelsEnd = rest.startsWith('{') ? rest.indexOf('} ') + 1 : 0;
    if (labelsEnd < 0 || rest[labelsEnd] !== ' ') continue;
    const value = Number(rest.slice(labelsEnd + 1).trim().split(' ')[0]);
    return Number.isNaN(value) ? undefined : value;
  }
  return undefined;
}
