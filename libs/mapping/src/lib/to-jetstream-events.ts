import type { DropReporter, FirehoseFrame, JetstreamEvent } from '@jetstream-ts/models';
import { Observable, type OperatorFunction } from 'rxjs';
import { frameToEvents } from './frame-to-events.js';

/**
 * Maps relay frames to Jetstream v1 events.
 *
 * Each frame goes through {@link frameToEvents}: a commit becomes one event per op (records
 * read from its CAR and converted to v1 JSON), identity and account frames one event each,
 * other frames none. Events carry `time_us: 0` (stamped later by `sequence()`) and `relaySeq`.
 * Bad input is dropped and reported to `drops`, never errors the stream.
 *
 * @example
 * import { decodeFrames } from '@jetstream-ts/frames';
 * import { encodeEvent, toJetstreamEvents } from '@jetstream-ts/mapping';
 * import { sequence } from '@jetstream-ts/sequencing';
 *
 * // relayMessages$: an Observable<Uint8Array> of relay frames; drops: a DropReporter
 * relayMessages$.pipe(decodeFrames({ drops }), toJetstreamEvents({ drops }), sequence(), encodeEvent());
 * @see frameToEvents
 * @param options.drops Where dropped commits, ops and events are reported.
 * @return An operator from frames to events.
 */
export function toJetstreamEvents(options: { drops?: DropReporter } = {}): OperatorFunction<FirehoseFrame, JetstreamEvent> {
  const { drops } = options;
  return (source) =>
    new Observable<JetstreamEvent>((destination) =>
      source.subscribe({
        next: (frame) => {
          for (const event of frameToEvents(frame, drops)) destination.next(event);
        },
        error: (error: unknown) => destination.error(error),
        complete: () => destination.complete(),
      }),
    );
}
