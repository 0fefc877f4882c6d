import { ignoreDrops, type DropReporter, type FirehoseFrame } from '@jetstream-ts/models';
import { Observable, type OperatorFunction } from 'rxjs';
import { decodeFrame } from './decode-frame.js';

/**
 * Decodes relay websocket messages into typed frames.
 *
 * Each message goes through {@link decodeFrame} (the hand-written fast path), so one bad
 * message never errors the stream. Invalid frames and frames of a type it does not decode are
 * reported to `drops` (stage `frame`, reasons `invalid-frame` and `unknown-type`) and still
 * passed on, so that later stages can count them or advance a cursor on an unknown type's `seq`.
 *
 * @example
 * import { decodeFrames } from '@jetstream-ts/frames';
 *
 * // relayMessages$: an Observable<Uint8Array>, e.g. relayFrames() of @jetstream-ts/upstream; drops: a DropReporter
 * relayMessages$.pipe(decodeFrames({ drops })).subscribe((frame) => console.log(frame.type));
 * @see decodeFrame
 * @param options.drops Where invalid and unknown frames are reported (default: ignored).
 * @return An operator from message bytes to `FirehoseFrame`.
 */
export function decodeFrames(options: { drops?: DropReporter } = {}): OperatorFunction<Uint8Array, FirehoseFrame> {
  const drops = options.drops ?? ignoreDrops;
  return (source) =>
    new Observable<FirehoseFrame>((destination) =>
      source.subscribe({
        next: (bytes) => {
          const frame = decodeFrame(bytes);
          if (frame.type === 'invalid') drops.drop({ stage: 'frame', reason: 'invalid-frame', detail: frame.reason });
          else if (frame.type === 'unknown')
            drops.drop({ stage: 'frame', reason: 'unknown-type', detail: frame.t, seq: frame.seq });
          destination.next(frame);
        },
        error: (error: unknown) => destination.error(error),
        complete: () => destination.complete(),
      }),
    );
}
