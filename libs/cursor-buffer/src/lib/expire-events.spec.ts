import { firstValueFrom, take, toArray } from 'rxjs';
import { expireEvents } from './expire-events.js';

describe('expireEvents', () => {
  it('trims events older than clock - ttl on every tick and emits the counts', async () => {
    const cutoffs: number[] = [];
    const log = {
      trimOlderThan: async (timeUs: number) => {
        cutoffs.push(timeUs);
        return cutoffs.length * 10;
      },
    };
    let now = 5_000_000_000;
    const clock = () => (now += 1_000_000);
    const counts = await firstValueFrom(
      expireEvents(log, { ttlMs: 2000, intervalMs: 1, clock }).pipe(take(3), toArray()),
    );
    expect(counts).toEqual([10, 20, 30]);
    expect(cutoffs).toEqual([5_001_000_000 - 2_000_000, 5_002_000_000 - 2_000_000, 5_003_000_000 - 2_000_000]);
  });
});
