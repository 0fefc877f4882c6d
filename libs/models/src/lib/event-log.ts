import type { Observable } from 'rxjs';
import type { EncodedEvent } from './events.js';

/** An event as the log serves it: always with its zstd bytes (v1 dictionary) and its JSON. */
export type LoggedEvent = EncodedEvent & { readonly zstd: Uint8Array };

/** Events to commit together, with the relay cursor that is safe to resume from once they are. */
export interface AppendBatch {
  events: LoggedEvent[];
  relayCursor: number;
}

/**
 * The sequenced event log as subscribers read it, ordered by `time_us`. The ingest side appends;
 * any number of readers hold their own position and pull. Implemented by the cursor buffer
 * (store + in-memory tail); subscriber sessions depend only on this interface.
 */
export interface EventLog {
  /** Up to `limit` events with `time_us >= fromTimeUs`, oldest first. */
  readFrom(fromTimeUs: number, limit: number): readonly LoggedEvent[];
  /** `time_us` of the newest event ever committed (kept when retention empties the log); 0 before the first. */
  headTimeUs(): number;
  /** `time_us` of the oldest retained event; 0 when the log is empty. */
  oldestTimeUs(): number;
  /** Emits the new head `time_us` after each committed append: the live-tail signal. */
  readonly appended: Observable<number>;
}
