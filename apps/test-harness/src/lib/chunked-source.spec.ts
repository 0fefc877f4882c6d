import { lastValueFrom, take, toArray } from 'rxjs';
import { chunkedSource } from './chunked-source.js';

describe('chunkedSource', () => {
  it('emits every value in order, across chunks', async () => {
    const values = Array.from({ length: 10 }, (_, index) => index);
    expect(await lastValueFrom(chunkedSource(values, 3).pipe(toArray()))).toEqual(values);
  });

  it('stops pulling from the iterator when unsubscribed', async () => {
    let pulled = 0;
    function* counting() {
      for (;;) yield pulled++;
    }
    expect(await lastValueFrom(chunkedSource(counting(), 4).pipe(take(6), toArray()))).toEqual([
      0, 1, 2, 3, 4, 5,
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(pulled).toBeLessThanOrEqual(8);
  });

  it('turns an exception of the iterator into an error', async () => {
    function* failing() {
      yield 1;
      throw new Error('broken');
    }
    await expect(lastValueFrom(chunkedSource(failing()))).rejects.toThrow('broken');
  });
});
