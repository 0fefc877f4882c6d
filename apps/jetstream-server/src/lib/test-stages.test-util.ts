import type { IngestStages } from '@jetstream-ts/ingest';
import { decodeFrames } from '@jetstream-ts/frames';
import type { JetstreamEvent, LoggedEvent } from '@jetstream-ts/models';
import { map, mergeMap } from 'rxjs';

/**
 * Ingest stages for server tests: the real frame decoder, then `#identity` frames become
 * identity events (other frames none) and events are "encoded" as `did time_us` text. Enough to
 * check what the server commits, without the mapping library.
 */
export const identityOnlyStages: IngestStages = {
  decode: decodeFrames(),
  toEvents: mergeMap((frame): JetstreamEvent[] =>
    frame.type === 'identity'
      ? [{ did: frame.body.did, time_us: 0, relaySeq: frame.body.seq, kind: 'identity', identity: { did: frame.body.did, seq: frame.body.seq, time: frame.body.time } }]
      : [],
  ),
  encode: map(
    (event): LoggedEvent => ({
      time_us: event.time_us,
      relaySeq: event.relaySeq,
      did: event.did,
      kind: event.kind,
      collection: '',
      json: new TextEncoder().encode(`${event.did} ${event.time_us}`),
      zstd: new Uint8Array(),
    }),
  ),
};
