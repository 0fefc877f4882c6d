import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { ContainedOperator } from './contained-operator.js';

/**
 * Applies a plugin's operator so that its failures cannot end the stream: a value whose
 * processing makes the operator error (or throw, or complete early) is dropped, `onFailure` is
 * told, and the operator carries on with the next value, subscribed afresh. When the source
 * completes, the operator's input completes first, so what it held still comes out.
 *
 * @example
 * import { containPlugin } from '@jetstream-ts/plugins';
 * import { from, map } from 'rxjs';
 *
 * const risky = map((n: number) => { if (n === 2) throw new Error('two'); return n * 10; });
 * from([1, 2, 3]).pipe(containPlugin(risky, (error) => console.error('plugin failed', error))).subscribe(console.log);
 * // 10, then "plugin failed Error: two", then 30
 *
 * @param operator The plugin's operator.
 * @param onFailure Told of each failure (count it, log it).
 * @return An operator that mirrors `operator` minus the values that made it fail.
 */
export function containPlugin<T>(
  operator: MonoTypeOperatorFunction<T>,
  onFailure: (error: unknown) => void,
): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((destination) => {
      const contained = new ContainedOperator(
        operator,
        (value) => destination.next(value),
        onFailure,
        () => destination.complete(),
      );
      const subscription = source.subscribe({
        next: (value) => contained.push(value),
        error: (error: unknown) => {
          contained.stop();
          destination.error(error);
        },
        complete: () => contained.complete(),
      });
      return () => {
        subscription.unsubscribe();
        contained.stop();
      };
    });
}
