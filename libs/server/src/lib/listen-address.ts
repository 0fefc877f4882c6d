/** Where to listen: `host` undefined means every interface. */
export interface ListenAddress {
  host?: string;
  port: number;
}

/**
 * Parses a Go-style listen address: `:6008` (every interface), `127.0.0.1:6008`,
 * `[::1]:6008`, `localhost:0`.
 *
 * @param text The address.
 * @return The host and port, or undefined when it is not `[host]:port` with a port 0-65535.
 */
export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port > 65_535) return undefined;
  const host = match[1] ?? match[2];
  return host === '' || host === undefined ? { port } : { host, port };
}

/** `host:port` for logs and URLs (IPv6 hosts in brackets). */
export function formatListenAddress(address: ListenAddress): string {
  const host = address.host ?? '0.0.0.0';
  return host.includes(':') ? `[${host}]:${address.port}` : `${host}:${address.port}`;
}
