import { Subject, type MonoTypeOperatorFunction, type Subscription } from 'rxjs';

/**
 * Runs values one at a time through an operator that may fail: when the operator errors or
 * throws, `onFailure` is told, the value that caused it is dropped, and the operator is subscribed
 * afresh for the next value (so a plugin's state starts over after a failure). An operator that
 * completes before its input did (`take(n)`) is reported and subscribed afresh the same way.
 * Values the operator emits go to `emit`, synchronously for synchronous operators.
 *
 * Building the operator's pipeline happens once, in the constructor: an operator that cannot even
 * be subscribed throws there, to its caller (a server refuses to start rather than run without it).
 */
export class ContainedOperator<T> {
  readonly #operator: MonoTypeOperatorFunction<T>;
  readonly #emit: (value: T) => void;
  readonly #onFailure: (error: unknown) => void;
  readonly #onComplete: () => void;
  #input!: Subject<T>;
  #subscription: Subscription | undefined;
  #ending = false;

  /**
   * @param operator The operator to run.
   * @param emit Given each value the operator emits.
   * @param onFailure Told of each failure.
   * @param onComplete Called when the operator completes after {@link complete} (it may emit until then).
   */
  constructor(
    operator: MonoTypeOperatorFunction<T>,
    emit: (value: T) => void,
    onFailure: (error: unknown) => void,
    onComplete: () => void = () => undefined,
  ) {
    this.#operator = operator;
    this.#emit = emit;
    this.#onFailure = onFailure;
    this.#onComplete = onComplete;
    this.#connect();
  }

  /** Gives the operator one value. */
  push(value: T): void {
    try {
      this.#input.next(value);
    } catch (error) {
      // An error thrown past RxJS (in `emit` downstream of the operator, or a broken operator).
      this.#fail(error);
    }
  }

  /** Completes the operator's input: it may emit what it held (also later), then `onComplete` is called. */
  complete(): void {
    this.#ending = true;
    this.#input.complete();
  }

  /** Unsubscribes from the operator. */
  stop(): void {
    this.#ending = true;
    this.#subscription?.unsubscribe();
  }

  #connect(): void {
    const input = new Subject<T>();
    this.#input = input;
    this.#subscription = input.pipe(this.#operator).subscribe({
      next: this.#emit,
      error: (error: unknown) => {
        this.#fail(error);
        // A failure while flushing at the end still ends the run.
        if (this.#ending) this.#onComplete();
      },
      complete: () => {
        if (this.#ending) this.#onComplete();
        else this.#fail(new Error('the operator completed before its input did'));
      },
    });
  }

  #fail(error: unknown): void {
    this.#onFailure(error);
    if (this.#ending) return;
    this.#subscription?.unsubscribe();
    this.#connect();
  }
}
