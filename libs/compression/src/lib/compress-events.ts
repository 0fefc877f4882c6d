import { map, type OperatorFunction } from 'rxjs';
import type { EncodedEvent, LoggedEvent } from '@jetstream-ts/models';
import type { EventCompressor } from './codec.js';

/**
 * Adds the zstd bytes to each encoded event, once per event, so that every compressed
 * subscriber (live or replaying) is sent the same frame and none is compressed per subscriber.
 *
 * @example
 * import { compressEvents, createV1Compressor } from '@jetstream-ts/compression';
 * import { encodeEvent } from '@jetstream-ts/mapping';
 *
 * // events$: an Observable<JetstreamEvent>, e.g. from toJetstreamEvents() then sequence()
 * const compressor = createV1Compressor();
 * events$.pipe(encodeEvent(), compressEvents(compressor)).subscribe((e) => console.log(e.time_us, e.zstd.length));
 *
 * @param compressor A compressor from `createV1Compressor()`, shared by the pipeline.
 * @return An operator from encoded events to events carrying both JSON and zstd bytes.
 */
export function compressEvents(compressor: EventCompressor): OperatorFunction<EncodedEvent, LoggedEvent> {
  return map((event) => {
    const logged = event as EncodedEvent & { zstd: Uint8Array };
    logged.zstd = compressor.compress(event.json);
    return logged;
  });
}
