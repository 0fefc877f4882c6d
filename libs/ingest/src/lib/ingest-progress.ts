/**
 * How far ingestion got, in relay seqs: shared by the ingest pipeline (which advances it) and the
 * relay source (which resumes from it).
 *
 * @example
 * import { IngestProgress, ingestFrames } from '@jetstream-ts/ingest';
 * import { relayFrames } from '@jetstream-ts/upstream';
 *
 * // store: a CursorBuffer; wsUrl: the relay's URL; stages: from v1IngestStages()
 * const progress = new IngestProgress(store.relayCursor());
 * relayFrames({ wsUrl, cursor: () => progress.resumeCursor() }).pipe(ingestFrames({ log: store, stages, progress }));
 */
export class IngestProgress {
  /** Seq of the last frame that went through every stage (its events are committed or about to be). */
  processed: number | undefined;
  /** Seq committed to the store with the last append. */
  committed: number | undefined;

  /** @param startCursor Where to resume before any frame is processed (the store's cursor, or an override). */
  constructor(readonly startCursor: number | undefined) {}

  /**
   * The cursor for the next relay connection: after the last processed frame. Frames processed
   * but not yet committed are committed by this process before it exits, so an in-process
   * reconnect must not ask the relay for them again; after a crash the store's cursor is used.
   */
  resumeCursor(): number | undefined {
    return this.processed ?? this.startCursor;
  }
}
