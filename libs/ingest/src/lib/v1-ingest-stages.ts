import { compressEvents, type EventCompressor } from '@jetstream-ts/compression';
import { decodeFrames } from '@jetstream-ts/frames';
import { encodeEvent, toJetstreamEvents } from '@jetstream-ts/mapping';
import type { DropReporter } from '@jetstream-ts/models';
import { pipe } from 'rxjs';
import type { IngestStages } from './ingest-frames.js';

/**
 * The reference server's stages: `decodeFrames`, `toJetstreamEvents`, then `encodeEvent` and
 * `compressEvents` (v1 JSON and its zstd with the v1 dictionary, once per event).
 *
 * @example
 * import { createV1Compressor } from '@jetstream-ts/compression';
 * import { ingestFrames, v1IngestStages } from '@jetstream-ts/ingest';
 *
 * // log: a CursorBuffer; drops: a DropReporter; progress: an IngestProgress
 * ingestFrames({ log, stages: v1IngestStages({ compressor: createV1Compressor(), drops }), progress });
 *
 * @param options The compressor, and where bad frames, commits and ops are reported.
 * @return The stages for {@link ingestFrames}.
 */
export function v1IngestStages(options: { compressor: EventCompressor; drops?: DropReporter }): IngestStages {
  const { compressor, drops } = options;
  return {
    decode: decodeFrames({ drops }),
    toEvents: toJetstreamEvents({ drops }),
    encode: pipe(encodeEvent(), compressEvents(compressor)),
  };
}
