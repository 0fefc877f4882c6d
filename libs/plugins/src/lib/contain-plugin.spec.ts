import { bufferCount, filter, map, take, type MonoTypeOperatorFunction } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { containPlugin } from './contain-plugin.js';

const failOn = (bad: string): MonoTypeOperatorFunction<string> =>
  map((value) => {
    if (value === bad) throw new Error(`bad ${value}`);
    return value.toUpperCase();
  });

describe('containPlugin', () => {
  let scheduler: TestScheduler;
  beforeEach(() => (scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected))));

  it('passes what the operator emits, as it emits it', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const failures: unknown[] = [];
      expectObservable(cold('a-b-c|').pipe(containPlugin(failOn('z'), (error) => failures.push(error)))).toBe(
        'A-B-C|',
      );
      scheduler.flush();
      expect(failures).toEqual([]);
    });
  });

  it('drops the value that made the operator throw, reports it, and carries on', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const failures: unknown[] = [];
      expectObservable(cold('a-b-c|').pipe(containPlugin(failOn('b'), (error) => failures.push(error)))).toBe(
        'A---C|',
      );
      scheduler.flush();
      expect(failures).toEqual([new Error('bad b')]);
    });
  });

  it('starts the operator afresh after a failure (its state is lost with the failing value)', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const failures: unknown[] = [];
      // Pairs, failing on a pair that holds "x": the pair [x, b] goes, c and d pair up afresh.
      const pairs = (source: ReturnType<typeof cold<string>>) =>
        source.pipe(
          bufferCount(2),
          map((pair) => {
            if (pair.includes('x')) throw new Error('x');
            return pair.join('');
          }),
        );
      const operator = pairs as unknown as MonoTypeOperatorFunction<string>;
      expectObservable(cold('x-b-c-d|').pipe(containPlugin(operator, (error) => failures.push(error)))).toBe(
        '------e|',
        { e: 'cd' },
      );
      scheduler.flush();
      expect(failures).toHaveLength(1);
    });
  });

  it('treats an operator that completes early as failed for that value, and resubscribes', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const failures: unknown[] = [];
      // take(1) completes while handling its first value: that value still comes out.
      expectObservable(
        cold('a-b-c|').pipe(containPlugin(take<string>(1), (error) => failures.push(error))),
      ).toBe('a-b-c|');
      scheduler.flush();
      expect(failures).toHaveLength(3);
    });
  });

  it('lets the operator flush what it holds when the source completes', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const held = bufferCount<string>(3) as unknown as MonoTypeOperatorFunction<string>;
      expectObservable(cold('a-b|').pipe(containPlugin(held, () => undefined))).toBe('---(x|)', {
        x: ['a', 'b'],
      });
    });
  });

  it('passes the source error on', () => {
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(
        cold('a-#').pipe(
          containPlugin(
            filter<string>(() => true),
            () => undefined,
          ),
        ),
      ).toBe('a-#');
    });
  });
});
