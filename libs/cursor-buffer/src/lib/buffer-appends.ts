import type { LoggedEvent } from '@jetstream-ts/models';
import { Observable, asyncScheduler, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { AppendBatch } from '@jetstream-ts/models';

export interface BufferAppendsOptions {
  /** A batch closes once it holds this many events, at the next frame boundary. Default 1,000. */
  maxEvents?: number;
  /** A batch closes this long after its first event. Default 20 ms. */
  maxWaitMs?: number;
  scheduler?: SchedulerLike;
}

/**
 * Groups sequenced events into append batches, by size or by time, never splitting a relay
 * frame.
 *
 * A batch closes when it holds `maxEvents` and the next event comes from another frame
 * (another `relaySeq`), when `maxWaitMs` have passed since its first event, or when the source
 * completes or errors (the pending batch goes out first). Its `relayCursor` is the `relaySeq` of
 * its last event: the ops of one commit share a `relaySeq` and arrive together (synchronously,
 * as `toJetstreamEvents` emits them), so a committed batch always ends on a whole frame and
 * resuming the relay after that cursor neither skips nor repeats an op.
 *
 * @example
 * events$.pipe(bufferAppends({ maxEvents: 1000, maxWaitMs: 20 }), appendBatches(log)).subscribe();
 *
 * @see appendBatches
 * @param options Size and time limits of a batch.
 * @return A function that returns an Observable of {@link AppendBatch}.
 */
export function bufferAppends(options: BufferAppendsOptions = {}): OperatorFunction<LoggedEvent, AppendBatch> {
  const { maxEvents = 1000, maxWaitMs = 20, scheduler = asyncScheduler } = options;
  return (source) =>
    new Observable<AppendBatch>((destination) => {
      let pending: LoggedEvent[] = [];
      let timer: Subscription | undefined;

      const flush = () => {
        timer?.unsubscribe();
        timer = undefined;
        if (pending.length === 0) return;
        const events = pending;
        pending = [];
        destination.next({ events, relayCursor: events[events.length - 1].relaySeq });
      };

      const subscription = source.subscribe({
        next(event) {
          // Close a full batch only between frames, so a frame's ops are committed together.
          if (pending.length >= maxEvents && pending[pending.length - 1].relaySeq !== event.relaySeq) flush();
          pending.push(event);
          timer ??= scheduler.schedule(flush, maxWaitMs);
        },
        error(error) {
          flush();
          destination.error(error);
        },
        complete() {
          flush();
          destination.complete();
        },
      });
      return () => {
        timer?.unsubscribe();
        subscription.unsubscribe();
      };
    });
}
