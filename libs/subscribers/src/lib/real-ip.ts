import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/**
 * The proxies whose `X-Forwarded-For` / `X-Real-Ip` headers are believed (`--trusted-proxies`):
 * addresses and CIDR ranges, IPv4 or IPv6. IPv4 entries also match IPv4-mapped IPv6 peers.
 *
 * @example
 * import { TrustedProxies } from '@jetstream-ts/subscribers';
 *
 * const proxies = TrustedProxies.parse('10.0.0.0/8, ::1');
 * proxies.includes('10.1.2.3'); // true
 */
export class TrustedProxies {
  static readonly none = new TrustedProxies(new BlockList(), 0);

  private constructor(
    private readonly list: BlockList,
    /** How many entries were given; 0 means no proxy is trusted. */
    readonly size: number,
  ) {}

  /**
   * Parses a comma-separated list (`127.0.0.1,10.0.0.0/8,::1`); empty entries are ignored.
   *
   * @throws RangeError naming the first entry that is not an address or a CIDR range.
   */
  static parse(text: string): TrustedProxies {
    const entries = text
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    const list = new BlockList();
    for (const entry of entries) {
      const [address = '', prefix, extra] = entry.split('/');
      const family = isIP(address);
      const bits = prefix === undefined ? undefined : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
      const valid =
        family !== 0 && extra === undefined && (bits === undefined || bits <= (family === 6 ? 128 : 32));
      if (!valid) throw new RangeError(`not an IP address or CIDR range: ${entry}`);
      const type = family === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) list.addAddress(address, type);
      else list.addSubnet(address, bits, type);
    }
    return new TrustedProxies(list, entries.length);
  }

  /** Whether `address` (as Node reports a peer, or as a header carries it) is a trusted proxy. */
  includes(address: string): boolean {
    if (this.size === 0) return false;
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}

type RequestLike = Pick<IncomingMessage, 'headers' | 'socket'> & {
  headersDistinct?: IncomingMessage['headersDistinct'];
};

/**
 * The client's address, for per-address limits and metric labels. Without trusted proxies (the
 * default) it is the TCP peer: headers are ignored, so a client cannot choose its address (v1
 * believed `X-Forwarded-For` from anyone, which let one client take any number of addresses and
 * metric series). When the peer is a trusted proxy, `X-Forwarded-For` is read from the right:
 * the first entry that is not itself a trusted proxy is the client (a proxy appends the address
 * it saw; what a client wrote on the left is not believed); then `X-Real-Ip`. A header value that
 * is not an IP address is ignored. IPv4 peers on a dual-stack socket are given as `a.b.c.d`, as Go.
 *
 * @example
 * import { TrustedProxies, realIp } from '@jetstream-ts/subscribers';
 *
 * // request: the http.IncomingMessage of a WebSocket upgrade
 * realIp(request, TrustedProxies.parse('127.0.0.1')); // '203.0.113.7' behind a local proxy
 *
 * @param request The upgrade request.
 * @param trusted The proxies whose headers are believed.
 * @return The address.
 */
export function realIp(request: RequestLike, trusted: TrustedProxies = TrustedProxies.none): string {
  const peer = unmapped(request.socket.remoteAddress ?? '');
  if (!trusted.includes(peer)) return peer;
  const forwarded = allHeaderValues(request, 'x-forwarded-for')
    .flatMap((line) => line.split(','))
    .map((entry) => stripBrackets(entry.trim()));
  for (let i = forwarded.length - 1; i >= 0; i--) {
    const hop = forwarded[i] ?? '';
    if (isIP(hop) === 0) break;
    if (!trusted.includes(hop)) return unmapped(hop);
  }
  const realIpHeader = stripBrackets((allHeaderValues(request, 'x-real-ip')[0] ?? '').trim());
  return isIP(realIpHeader) === 0 ? peer : unmapped(realIpHeader);
}

function allHeaderValues(request: RequestLike, name: string): string[] {
  const distinct = request.headersDistinct?.[name];
  if (distinct) return distinct;
  const value = request.headers[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function stripBrackets(address: string): string {
  return address.replace(/^\[/, '').replace(/\]$/, '');
}

/** An IPv4 client on a dual-stack socket shows as `::ffff:a.b.c.d` in Node, as `a.b.c.d` in Go. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}
