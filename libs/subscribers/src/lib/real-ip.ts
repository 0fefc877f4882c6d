import type { IncomingMessage } from 'node:http';

/**
 * The client address as v1 (Echo's `RealIP()`) takes it: the first `X-Forwarded-For` entry
 * (trimmed, `[` `]` removed, but the whole header as is when it has no comma after its
 * first character), else `X-Real-Ip` (brackets removed), else the socket's peer address.
 * Headers are trusted, so a client can choose its label; v1 did the same.
 */
export function realIp(request: Pick<IncomingMessage, 'headers' | 'socket'> & { headersDistinct?: IncomingMessage['headersDistinct'] }): string {
  const forwardedFor = firstHeader(request, 'x-forwarded-for');
  if (forwardedFor !== '') {
    const comma = forwardedFor.indexOf(',');
    return comma > 0 ? stripBrackets(forwardedFor.slice(0, comma).trim()) : forwardedFor;
  }
  const realIpHeader = firstHeader(request, 'x-real-ip');
  if (realIpHeader !== '') return stripBrackets(realIpHeader);
  return peerAddress(request.socket.remoteAddress ?? '');
}

/** Go's `Header.Get`: the first value of the header. */
function firstHeader(request: { headers: IncomingMessage['headers']; headersDistinct?: IncomingMessage['headersDistinct'] }, name: string): string {
  const distinct = request.headersDistinct?.[name];
  if (distinct) return distinct[0] ?? '';
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

function stripBrackets(address: string): string {
  return address.replace(/^\[/, '').replace(/\]$/, '');
}

/** An IPv4 client on a dual-stack socket shows as `::ffff:a.b.c.d` in Node, as `a.b.c.d` in Go. */
function peerAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}
