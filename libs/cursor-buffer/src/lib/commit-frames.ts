import type { AppendBatch, LoggedEvent } from '@jetstream-ts/models';
import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { EventStore } from './event-store.js';

/** One relay frame's worth of events, and the relay seq that is safe to resume after once they are stored. */
export interface FrameEvents {
  readonly events: readonly LoggedEvent[];
  /**
   * The frame's relay seq; `undefined` when the frame has none (an undecodable message): its
   * events, if any, are committed but the cursor stays where it was.
   */
  readonly relayCursor: number | undefined;
}

export interface CommitFramesOptions {
  /** A batch is committed once it holds this many events (at a frame boundary). Default 1,000. */
  maxBatchEvents?: number;
  /** ... or this long after its first frame. Default 20 ms. */
  maxBatchWaitMs?: number;
  scheduler?: SchedulerLike;
}

/**
 * Commits frames to the store in batches: each batch is the events of whole frames plus the relay
 * cursor of its last frame, in one store transaction. A frame that has no events (`#sync`,
 * `#info`, a dropped commit) still moves the cursor, so resuming never re-reads it; a batch is
 * committed for it even when it holds no event. A batch is cut when it holds `maxBatchEvents`, or
 * `maxBatchWaitMs` after its first frame; only one commit is in flight, and the frames that arrive
 * meanwhile make the next batch bigger (a slow disk gets bigger batches, not a queue of small
 * ones). Each batch is emitted once committed. When the source ends, the rest is committed, then
 * the output completes (or errors, like the source). A failed commit errors the output: going on
 * without the store would lose events.
 *
 * ```
 * frames (seq):     1--2--3(no events)----4|        maxBatchWaitMs 5, commits take no time
 * output:           -----[1,2 @3]---------[4 @4]|
 * ```
 *
 * @example
 * import { commitFrames, openLmdbEventStore } from '@jetstream-ts/cursor-buffer';
 * import { map } from 'rxjs';
 *
 * const store = openLmdbEventStore({ path: '/tmp/events' });
 * loggedEvents$
 *   .pipe(map((event) => ({ events: [event], relayCursor: event.relaySeq })), commitFrames(store))
 *   .subscribe((batch) => console.log('committed through relay seq', batch.relayCursor));
 *
 * @param log Where batches are committed (a `CursorBuffer` or a bare store).
 * @param options Batch size and wait.
 * @return An operator from frames to committed batches.
 */
export function commitFrames(log: Pick<EventStore, 'append'>, options: CommitFramesOptions = {}): OperatorFunction<FrameEvents, AppendBatch> {
  const { maxBatchEvents = 1000, maxBatchWaitMs = 20, scheduler = asyncScheduler } = options;
  return (frames) =>
    new Observable<AppendBatch>((destination) => {
      let pending: LoggedEvent[] = [];
      let pendingCursor: number | undefined;
      /** The cursor of the last batch handed to the store: events without a cursor of their own commit under it. */
      let lastCursor: number | undefined;
      let timer: Subscription | undefined;
      let committing = false;
      /** A flush came (timer, full batch) while a commit was in flight: do it as soon as that ends. */
      let flushWanted = false;
      let sourceEnded: { error?: unknown } | undefined;

      const hasPending = () => pendingCursor !== undefined || (pending.length > 0 && lastCursor !== undefined);
      const startTimer = () => (timer ??= scheduler.schedule(flush, maxBatchWaitMs));

      const finishIfDone = () => {
        if (sourceEnded === undefined || committing || hasPending()) return;
        if ('error' in sourceEnded) destination.error(sourceEnded.error);
        else destination.complete();
      };

      function flush(): void {
        timer?.unsubscribe();
        timer = undefined;
        if (committing) {
          flushWanted = true;
          return;
        }
        if (destination.closed) return;
        if (!hasPending()) return finishIfDone();
        const batch: AppendBatch = { events: pending, relayCursor: (pendingCursor ?? lastCursor) as number };
        pending = [];
        pendingCursor = undefined;
        lastCursor = batch.relayCursor;
        committing = true;
        log.append(batch.events, batch.relayCursor).then(
          () => {
            committing = false;
            destination.next(batch);
            // What arrived during the commit goes now if its batch was due, else on its timer.
            if (flushWanted || sourceEnded !== undefined || pending.length >= maxBatchEvents) {
              flushWanted = false;
              flush();
            } else if (hasPending()) startTimer();
          },
          (error: unknown) => destination.error(error),
        );
      }

      const subscription = frames.subscribe({
        next: ({ events, relayCursor }) => {
          for (const event of events) pending.push(event);
          if (relayCursor !== undefined) pendingCursor = relayCursor;
          if (pending.length >= maxBatchEvents) flush();
          else if (hasPending()) startTimer();
        },
        error: (error: unknown) => {
          sourceEnded = { error };
          flush();
        },
        complete: () => {
          sourceEnded = {};
          flush();
        },
      });
      return () => {
        timer?.unsubscribe();
        subscription.unsubscribe();
      };
    });
}
