/**
 * The `subscriber connected` lines of a jetstream-server log (pino JSON, one object a line),
 * with the `--workers` process that served each (absent with one process or on an edge).
 */
export function subscriberConnections(log: string): { worker?: number }[] {
  const connections: { worker?: number }[] = [];
  for (const line of log.split('\n')) {
    if (!line.includes('"subscriber connected"')) continue;
    try {
      const { worker } = JSON.parse(line) as { worker?: number };
      connections.push(worker === undefined ? {} : { worker });
    } catch {
      // A line cut short (the server was killed mid-write) is not a connection.
    }
  }
  return connections;
}
