import type { LoggedEvent } from '@jetstream-ts/models';
import { firstValueFrom, from, lastValueFrom, toArray } from 'rxjs';
import type { AppendBatch } from '@jetstream-ts/models';
import { appendBatches } from './append-batches.js';

const batch = (relayCursor: number): AppendBatch => ({ events: [{ time_us: relayCursor } as LoggedEvent], relayCursor });

describe('appendBatches', () => {
  it('appends one batch at a time, in order, and emits each once committed', async () => {
    const calls: string[] = [];
    const log = {
      async append(_events: readonly LoggedEvent[], relayCursor: number) {
        calls.push(`start ${relayCursor}`);
        await new Promise((resolve) => setImmediate(resolve));
        calls.push(`end ${relayCursor}`);
      },
    };
    const emitted = await lastValueFrom(from([batch(1), batch(2)]).pipe(appendBatches(log), toArray()));
    expect(emitted.map((committed) => committed.relayCursor)).toEqual([1, 2]);
    expect(calls).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('errors the stream when a commit fails', async () => {
    const failure = new Error('disk full');
    const log = { append: () => Promise.reject(failure) };
    await expect(firstValueFrom(from([batch(1)]).pipe(appendBatches(log)))).rejects.toBe(failure);
  });
});
