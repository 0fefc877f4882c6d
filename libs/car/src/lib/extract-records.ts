import type { DropReporter, FirehoseFrame } from '@jetstream-ts/models';
import { Observable, type OperatorFunction } from 'rxjs';
import type { CommitBudget } from './commit-budget.js';
import { extractCommitRecords, type FrameWithRecords } from './commit-records.js';

/**
 * Attaches to each commit frame the records of its ops, taken from the commit's CAR.
 *
 * Commits come out as `{ frame, records }`, `records` aligned with `frame.body.ops` (see
 * {@link extractCommitRecords}: one pass over the CAR, no MST decoding, each record block's
 * sha-256 verified). A commit whose CAR is malformed or over its work budget is reported and not emitted; a record that
 * is missing or fails verification is reported and left undefined, the rest of the commit kept.
 * tooBig commits are passed on without reading their (partial) CAR, all records undefined.
 * Other frames pass through as `{ frame }`.
 *
 * @example
 * frames$.pipe(extractRecords({ drops })).subscribe(({ frame, records }) => {
 *   if (records) frame.body.ops.forEach((op, i) => console.log(op.path, records[i]?.bytes.length));
 * });
 * @see extractCommitRecords
 * @param options.drops Where dropped commits and ops are reported.
 * @param options.budget The work one commit may cost (`DEFAULT_COMMIT_BUDGET` by default).
 * @return An operator from frames to frames with records.
 */
export function extractRecords(
  options: { drops?: DropReporter; budget?: Readonly<CommitBudget> } = {},
): OperatorFunction<FirehoseFrame, FrameWithRecords> {
  const { drops, budget } = options;
  return (source) =>
    new Observable<FrameWithRecords>((destination) =>
      source.subscribe({
        next: (frame) => {
          if (frame.type !== 'commit') {
            destination.next({ frame });
            return;
          }
          const records = frame.body.tooBig
            ? new Array(frame.body.ops.length).fill(undefined)
            : extractCommitRecords(frame.body, drops, budget);
          if (records !== undefined) destination.next({ frame, records });
        },
        error: (error: unknown) => destination.error(error),
        complete: () => destination.complete(),
      }),
    );
}
