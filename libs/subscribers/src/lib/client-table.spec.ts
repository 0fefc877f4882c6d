import { ClientTable, type ClientEntry, type Refusal } from './client-table.js';

const admitted = (result: ClientEntry | Refusal): ClientEntry => {
  if ('status' in result) throw new Error(`refused: ${result.reason}`);
  return result;
};

describe('ClientTable', () => {
  it("shares one rate bucket among an address's connections (v1's per-IP --max-sub-rate)", () => {
    const table = new ClientTable({ maxConnections: 0, maxConnectionsPerIp: 0 }, 2);
    const [first, second, other] = [
      admitted(table.admit('192.0.2.1')),
      admitted(table.admit('192.0.2.1')),
      admitted(table.admit('192.0.2.2')),
    ];
    expect(first.rateLimit).toBe(second.rateLimit);
    expect(other.rateLimit).not.toBe(first.rateLimit);
    // Burst 2 for the address: its two connections together get two events now, the third waits.
    expect([
      first.rateLimit!.take(0),
      second.rateLimit!.take(0),
      first.rateLimit!.take(0),
      other.rateLimit!.take(0),
    ]).toEqual([0, 0, 500, 0]);
    expect(
      new ClientTable({ maxConnections: 0, maxConnectionsPerIp: 0 }, Infinity).admit('192.0.2.1'),
    ).toMatchObject({ rateLimit: undefined });
  });

  it('refuses per address with 429 and in all with 503, counting nothing for a refusal', () => {
    const table = new ClientTable({ maxConnections: 3, maxConnectionsPerIp: 2 }, Infinity);
    admitted(table.admit('192.0.2.1'));
    admitted(table.admit('192.0.2.1'));
    expect(table.admit('192.0.2.1')).toEqual({
      status: 429,
      metricReason: 'too_many_for_ip',
      reason: 'too many connections from 192.0.2.1: at most 2 per address',
    });
    admitted(table.admit('192.0.2.2'));
    expect(table.admit('192.0.2.3')).toMatchObject({ status: 503, metricReason: 'server_full' });
    expect([table.connections, table.addresses]).toEqual([3, 2]);
  });

  it('forgets an address when its last connection is released, and says so once', () => {
    const gone: string[] = [];
    const table = new ClientTable({ maxConnections: 0, maxConnectionsPerIp: 0 }, 10, (address) =>
      gone.push(address),
    );
    const [a, b] = [admitted(table.admit('192.0.2.1')), admitted(table.admit('192.0.2.1'))];
    table.release(a);
    expect(gone).toEqual([]);
    table.release(b);
    expect(gone).toEqual(['192.0.2.1']);
    expect([table.connections, table.addresses]).toEqual([0, 0]);
    expect(admitted(table.admit('192.0.2.1')).rateLimit).not.toBe(a.rateLimit);
  });
});
