import { findExecutable } from './nats-server.js';

describe('findExecutable', () => {
  const installed = (...paths: string[]) => (path: string) => paths.includes(path);

  it('takes the first PATH dir that has it, then the extra dirs in order', () => {
    expect(findExecutable('nats-server', '/usr/local/bin:/usr/bin', ['/usr/sbin'], installed('/usr/bin/nats-server', '/usr/sbin/nats-server'))).toBe(
      '/usr/bin/nats-server',
    );
    expect(findExecutable('nats-server', '/usr/local/bin:/usr/bin', ['/usr/local/sbin', '/usr/sbin'], installed('/usr/sbin/nats-server'))).toBe(
      '/usr/sbin/nats-server',
    );
  });

  it('is undefined when no dir has it, and ignores empty PATH entries', () => {
    expect(findExecutable('nats-server', '', [], installed('nats-server'))).toBeUndefined();
    expect(findExecutable('nats-server', ':/bin:', ['/usr/sbin'], installed('/opt/nats-server'))).toBeUndefined();
  });
});
