import { formatListenAddress, parseListenAddress } from './listen-address.js';

describe('parseListenAddress', () => {
  it('reads Go listen addresses', () => {
    expect(parseListenAddress(':6008')).toEqual({ port: 6008 });
    expect(parseListenAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('localhost:6009')).toEqual({ host: 'localhost', port: 6009 });
    expect(parseListenAddress('[::1]:6008')).toEqual({ host: '::1', port: 6008 });
  });

  it('rejects what is not host:port', () => {
    for (const text of ['6008', 'host', ':', ':65536', '::1:6008', 'a:b', '']) expect(parseListenAddress(text)).toBeUndefined();
  });

  it('formats addresses back, bracketing IPv6', () => {
    expect(formatListenAddress({ port: 6008 })).toBe('0.0.0.0:6008');
    expect(formatListenAddress({ host: '::1', port: 1 })).toBe('[::1]:1');
  });
});
