import { EventEmitter } from 'node:events';
import { PoolConnectionLimits, PrimaryConnectionLimits, type PrimaryChannel } from './pool-connection-limits.js';
import type { WorkerMessage } from './worker-messages.js';

const TOO_MANY = { status: 429, metricReason: 'too_many_for_ip', reason: 'too many connections from 203.0.113.7: at most 2 per address' };

describe('PoolConnectionLimits', () => {
  it('counts one address across workers: the connection past the limit is refused as one process would', () => {
    const limits = new PoolConnectionLimits<string>({ maxConnections: 0, maxConnectionsPerIp: 2 });
    expect(limits.admit('worker 1', '203.0.113.7')).toBeUndefined();
    expect(limits.admit('worker 2', '203.0.113.7')).toBeUndefined();
    expect(limits.admit('worker 1', '203.0.113.7')).toEqual(TOO_MANY);
    expect(limits.admit('worker 2', '198.51.100.1')).toBeUndefined();
    limits.release('worker 2', '203.0.113.7');
    expect(limits.admit('worker 1', '203.0.113.7')).toBeUndefined();
    expect(limits.connections).toBe(3);
  });

  it('refuses past maxConnections in all with 503', () => {
    const limits = new PoolConnectionLimits<string>({ maxConnections: 2, maxConnectionsPerIp: 0 });
    limits.admit('worker 1', '198.51.100.1');
    limits.admit('worker 2', '198.51.100.2');
    expect(limits.admit('worker 1', '198.51.100.3')).toEqual({
      status: 503,
      metricReason: 'server_full',
      reason: 'server full: at most 2 subscriber connections, try again later',
    });
  });

  it('releases everything a dead worker held, and ignores releases it does not hold', () => {
    const limits = new PoolConnectionLimits<string>({ maxConnections: 0, maxConnectionsPerIp: 2 });
    limits.admit('worker 1', '203.0.113.7');
    limits.admit('worker 1', '203.0.113.7');
    limits.admit('worker 2', '198.51.100.1');
    limits.release('worker 2', '203.0.113.7');
    limits.release('worker 3', '198.51.100.1');
    expect(limits.connections).toBe(3);
    limits.releaseAll('worker 1');
    expect(limits.connections).toBe(1);
    expect(limits.admit('worker 2', '203.0.113.7')).toBeUndefined();
    limits.release('worker 1', '203.0.113.7');
    expect(limits.connections).toBe(2);
  });
});

/** Both ends of a worker's IPC channel, in memory: what the worker sent, and a way to answer it. */
function fakeChannel() {
  const primary = new EventEmitter();
  const sent: WorkerMessage[] = [];
  const channel: PrimaryChannel & { connected: boolean } = {
    connected: true,
    send: (message) => sent.push(message),
    on: (event, listener) => primary.on(event, listener),
  };
  return { channel, sent, answer: (message: unknown) => primary.emit('message', message) };
}

describe('PrimaryConnectionLimits', () => {
  it("asks the primary with the address and resolves with each answer, by the request's id", async () => {
    const { channel, sent, answer } = fakeChannel();
    const limits = new PrimaryConnectionLimits(channel);
    const first = limits.admit('203.0.113.7');
    const second = limits.admit('198.51.100.1');
    expect(sent).toEqual([
      { jetstream: 'admit', id: 0, ipAddress: '203.0.113.7' },
      { jetstream: 'admit', id: 1, ipAddress: '198.51.100.1' },
    ]);
    answer({ jetstream: 'head', timeUs: 5 });
    answer({ jetstream: 'admitted', id: 1 });
    answer({ jetstream: 'admitted', id: 0, refusal: TOO_MANY });
    expect(await second).toBeUndefined();
    expect(await first).toEqual(TOO_MANY);
  });

  it('tells the primary of each close, and nothing once the primary is gone', () => {
    const { channel, sent } = fakeChannel();
    const limits = new PrimaryConnectionLimits(channel);
    limits.release('203.0.113.7');
    channel.connected = false;
    limits.release('203.0.113.7');
    expect(sent).toEqual([{ jetstream: 'release', ipAddress: '203.0.113.7' }]);
  });
});
