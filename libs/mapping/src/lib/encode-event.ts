import type { EncodedEvent, JetstreamEvent } from '@jetstream-ts/models';
import { map, type OperatorFunction } from 'rxjs';
import { encodeEventJson } from './encode-event-json.js';

/**
 * Encodes each event once into its wire form: the v1 JSON bytes plus the fields filters match
 * on (`did`, `kind`, `collection`: a commit's collection, '' for identity and account), so no
 * subscriber re-parses JSON.
 *
 * @example
 * import { encodeEvent } from '@jetstream-ts/mapping';
 * import { sequence } from '@jetstream-ts/sequencing';
 *
 * // events$: an Observable<JetstreamEvent>; socket: a WebSocket
 * events$.pipe(sequence(), encodeEvent()).subscribe(({ json }) => socket.send(json));
 * @see encodeEventJson
 * @return An operator from events to encoded events.
 */
export function encodeEvent(): OperatorFunction<JetstreamEvent, EncodedEvent> {
  return map((event) => ({
    time_us: event.time_us,
    relaySeq: event.relaySeq,
    did: event.did,
    kind: event.kind,
    collection: event.kind === 'commit' ? event.commit.collection : '',
    json: encodeEventJson(event),
  }));
}
