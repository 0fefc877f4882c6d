import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { realIp, TrustedProxies } from './real-ip.js';

function request(headers: Record<string, string[]>, remoteAddress = '10.0.0.9') {
  const joined = Object.fromEntries(
    Object.entries(headers).map(([name, values]) => [name, values.join(', ')]),
  );
  return {
    headers: joined as IncomingMessage['headers'],
    headersDistinct: headers as IncomingMessage['headersDistinct'],
    socket: { remoteAddress } as Socket,
  };
}

const localProxy = TrustedProxies.parse('127.0.0.1, 10.0.0.0/8, ::1');

describe('realIp', () => {
  it('is the peer address when no proxy is trusted: forged headers change nothing', () => {
    expect(
      realIp(request({ 'x-forwarded-for': ['203.0.113.7'], 'x-real-ip': ['198.51.100.1'] }, '192.0.2.5')),
    ).toBe('192.0.2.5');
    expect(realIp(request({}, '::ffff:127.0.0.1'))).toBe('127.0.0.1');
    expect(realIp(request({}, '::1'))).toBe('::1');
  });

  it('ignores the headers of a peer that is not a trusted proxy', () => {
    expect(realIp(request({ 'x-forwarded-for': ['203.0.113.7'] }, '192.0.2.5'), localProxy)).toBe(
      '192.0.2.5',
    );
  });

  it('reads X-Forwarded-For from the right behind a trusted proxy, skipping trusted hops', () => {
    // The client wrote 6.6.6.6 itself; the outer proxy appended 203.0.113.7, an inner one 10.0.0.2.
    const forwarded = request({ 'x-forwarded-for': ['6.6.6.6, 203.0.113.7, 10.0.0.2'] }, '::ffff:10.0.0.9');
    expect(realIp(forwarded, localProxy)).toBe('203.0.113.7');
    expect(realIp(request({ 'x-forwarded-for': ['[2001:db8::1]'] }, '::1'), localProxy)).toBe('2001:db8::1');
    expect(realIp(request({ 'x-forwarded-for': ['203.0.113.7', '10.0.0.3'] }), localProxy)).toBe(
      '203.0.113.7',
    );
  });

  it('falls back to X-Real-Ip, then the peer, and ignores values that are not addresses', () => {
    expect(realIp(request({ 'x-real-ip': ['[2001:db8::2]'] }), localProxy)).toBe('2001:db8::2');
    expect(realIp(request({ 'x-forwarded-for': ['not-an-ip'], 'x-real-ip': ['junk'] }), localProxy)).toBe(
      '10.0.0.9',
    );
    expect(realIp(request({ 'x-forwarded-for': ['10.0.0.4'] }), localProxy)).toBe('10.0.0.9');
  });

  it('works from the joined headers alone', () => {
    const { headers, socket } = request({ 'x-forwarded-for': ['203.0.113.7'] });
    expect(realIp({ headers, socket }, localProxy)).toBe('203.0.113.7');
  });
});

describe('TrustedProxies', () => {
  it('matches addresses and CIDR ranges of both families, IPv4 also as mapped IPv6', () => {
    const proxies = TrustedProxies.parse('192.0.2.0/24,2001:db8::/32, 198.51.100.7,');
    expect(
      ['192.0.2.200', '::ffff:192.0.2.1', '2001:db8:1::5', '198.51.100.7'].map((address) =>
        proxies.includes(address),
      ),
    ).toEqual([true, true, true, true]);
    expect(
      ['192.0.3.1', '198.51.100.8', '2001:db9::1', 'junk'].map((address) => proxies.includes(address)),
    ).toEqual([false, false, false, false]);
    expect(TrustedProxies.parse('').size).toBe(0);
  });

  it('refuses entries that are not addresses or ranges, naming them', () => {
    for (const entry of [
      '10.0.0.0/33',
      'example.com',
      '10.0.0.1/',
      '10.0.0.0/8/1',
      '::1/129',
      '10.0.0.0/x',
    ]) {
      expect(() => TrustedProxies.parse(entry)).toThrow(`not an IP address or CIDR range: ${entry}`);
    }
  });
});
