import { TokenBucket } from './token-bucket.js';

/** How many connections the endpoint holds; 0 (or Infinity) means no limit. */
export interface ConnectionLimits {
  /** `--max-connections`: open subscriber connections in all. */
  maxConnections: number;
  /** `--max-connections-per-ip`: open connections of one client address. */
  maxConnectionsPerIp: number;
}

/** One client address while it has connections: their count and their shared event-rate bucket. */
export interface ClientEntry {
  readonly ipAddress: string;
  connections: number;
  /** `--max-sub-rate` for all of the address's connections (v1: a limiter per IP); undefined for no limit. */
  readonly rateLimit: TokenBucket | undefined;
}

/** A refused handshake: the HTTP status (429 per address, 503 for the whole server) and the reason, for the body. */
export interface Refusal {
  status: 429 | 503;
  /** A short identifier for the metric label. */
  metricReason: 'too_many_for_ip' | 'server_full';
  reason: string;
}

/**
 * The client addresses with open connections: admits a new connection under the limits, and
 * forgets an address when its last connection goes, so per-address state (the shared rate
 * bucket, and through `onAddressGone` the metric series) lives only while it is in use: the
 * table never grows with the number of addresses ever seen (v1's limiter map was never pruned).
 *
 * @example
 * import { ClientTable } from '@jetstream-ts/subscribers';
 *
 * // metrics, refuse, onClose: the caller's per-IP gauges, refusal and close hook
 * const clients = new ClientTable({ maxConnections: 10_000, maxConnectionsPerIp: 100 }, 5000, (ip) => metrics.remove(ip));
 * const admitted = clients.admit('203.0.113.7');
 * if ('status' in admitted) refuse(admitted.status, admitted.reason);
 * else onClose(() => clients.release(admitted));
 */
export class ClientTable {
  private readonly entries = new Map<string, ClientEntry>();
  private total = 0;

  /**
   * @param limits The connection limits.
   * @param maxEventsPerSecond Events per second for each address, shared by its connections; `Infinity` for none.
   * @param onAddressGone Called when an address's last connection is released.
   */
  constructor(
    private readonly limits: ConnectionLimits,
    private readonly maxEventsPerSecond: number,
    private readonly onAddressGone: (ipAddress: string) => void = () => undefined,
  ) {}

  /** Open connections in all. */
  get connections(): number {
    return this.total;
  }

  /** Addresses with at least one open connection. */
  get addresses(): number {
    return this.entries.size;
  }

  /** Counts a new connection from `ipAddress`, or says why it is refused (nothing is counted then). */
  admit(ipAddress: string): ClientEntry | Refusal {
    const { maxConnections, maxConnectionsPerIp } = this.limits;
    const entry = this.entries.get(ipAddress);
    if (isLimited(maxConnectionsPerIp) && (entry?.connections ?? 0) >= maxConnectionsPerIp) {
      return {
        status: 429,
        metricReason: 'too_many_for_ip',
        reason: `too many connections from ${ipAddress}: at most ${maxConnectionsPerIp} per address`,
      };
    }
    if (isLimited(maxConnections) && this.total >= maxConnections) {
      return {
        status: 503,
        metricReason: 'server_full',
        reason: `server full: at most ${maxConnections} subscriber connections, try again later`,
      };
    }
    const admitted = entry ?? this.create(ipAddress);
    admitted.connections++;
    this.total++;
    return admitted;
  }

  /** A connection `admit` counted has closed; call once per admitted connection. */
  release(entry: ClientEntry): void {
    entry.connections--;
    this.total--;
    if (entry.connections > 0) return;
    this.entries.delete(entry.ipAddress);
    this.onAddressGone(entry.ipAddress);
  }

  private create(ipAddress: string): ClientEntry {
    const rate = this.maxEventsPerSecond;
    const entry: ClientEntry = {
      ipAddress,
      connections: 0,
      rateLimit: Number.isFinite(rate) ? new TokenBucket(rate) : undefined,
    };
    this.entries.set(ipAddress, entry);
    return entry;
  }
}

function isLimited(limit: number): boolean {
  return limit > 0 && Number.isFinite(limit);
}
