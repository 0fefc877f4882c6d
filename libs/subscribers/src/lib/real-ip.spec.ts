import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { realIp } from './real-ip.js';

function request(headers: Record<string, string[]>, remoteAddress = '10.0.0.9') {
  const joined = Object.fromEntries(Object.entries(headers).map(([name, values]) => [name, values.join(', ')]));
  return {
    headers: joined as IncomingMessage['headers'],
    headersDistinct: headers as IncomingMessage['headersDistinct'],
    socket: { remoteAddress } as Socket,
  };
}

describe('realIp', () => {
  it('takes the first X-Forwarded-For entry, trimmed and unbracketed', () => {
    expect(realIp(request({ 'x-forwarded-for': [' 203.0.113.7 , 10.0.0.1'] }))).toBe('203.0.113.7');
    expect(realIp(request({ 'x-forwarded-for': ['[2001:db8::1], 10.0.0.1'] }))).toBe('2001:db8::1');
  });

  it('keeps a single X-Forwarded-For value exactly as sent, as Echo does', () => {
    expect(realIp(request({ 'x-forwarded-for': ['[2001:db8::1]'] }))).toBe('[2001:db8::1]');
    expect(realIp(request({ 'x-forwarded-for': [',203.0.113.7'] }))).toBe(',203.0.113.7');
  });

  it('reads only the first X-Forwarded-For header line, as Go\'s Header.Get', () => {
    expect(realIp(request({ 'x-forwarded-for': ['203.0.113.7', '198.51.100.1, 10.0.0.1'] }))).toBe('203.0.113.7');
  });

  it('falls back to X-Real-Ip, then the peer address', () => {
    expect(realIp(request({ 'x-real-ip': ['[2001:db8::2]'] }))).toBe('2001:db8::2');
    expect(realIp(request({}, '::ffff:127.0.0.1'))).toBe('127.0.0.1');
    expect(realIp(request({}, '::1'))).toBe('::1');
  });

  it('works from the joined headers alone', () => {
    const { headers, socket } = request({ 'x-forwarded-for': ['203.0.113.7, 10.0.0.1'] });
    expect(realIp({ headers, socket })).toBe('203.0.113.7');
  });
});
