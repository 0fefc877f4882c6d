import type { FirehoseFrame, JetstreamEvent } from '@jetstream-ts/models';
import type { MonoTypeOperatorFunction } from 'rxjs';

/** Where a plugin's operator sits in the ingest pipeline. */
export type IngestStage = IngestPlugin['stage'];

/**
 * An operator contributed to the ingest pipeline at a named stage, so that a custom relay is
 * "the reference server plus my operator":
 * - `frames`: decoded relay frames, before they become events (all frame types, `#sync` too);
 * - `events`: Jetstream events before they are sequenced, encoded and stored (dropping one here
 *   costs no `time_us`).
 *
 * Plugins run in the order given, must be synchronous (emit while the frame is being processed,
 * never later) and may filter or transform. The relay cursor advances per frame once the frame
 * has passed every stage, so an operator that delays values would let it run ahead of them.
 */
export type IngestPlugin =
  | { name: string; stage: 'frames'; operator: MonoTypeOperatorFunction<FirehoseFrame> }
  | { name: string; stage: 'events'; operator: MonoTypeOperatorFunction<JetstreamEvent> };
