import type { EventCompressor } from '@jetstream-ts/compression';
import type { LoggedEvent } from '@jetstream-ts/models';
import type { IngestPlugin } from '@jetstream-ts/plugins';
import { map } from 'rxjs';

const utf8 = new TextDecoder();
const encoder = new TextEncoder();
/** Every v1 event starts `{"did":"…","time_us":`; the handle goes between the two. */
const AFTER_DID = encoder.encode(',"time_us":');

/**
 * A `sequenced` plugin: remembers the latest handle of each DID from its `#identity` events and
 * writes it into that DID's commit events as `"handle"`, right after `"did"` (re-compressing the
 * zstd bytes once per event, not per subscriber). Commits of DIDs not seen yet go out unchanged.
 * Memory is bounded: past `maxDids` the least recently updated DID is forgotten.
 *
 * @example
 * import { withHandles } from '@jetstream-ts/example-relay';
 * import { createV1Compressor } from '@jetstream-ts/compression';
 * container.register(TOKENS.plugins, { useValue: withHandles({ compressor: createV1Compressor() }) });
 *
 * @param options The compressor for the rewritten events' zstd bytes; how many DIDs to remember.
 * @return The plugin.
 */
export function withHandles(options: { compressor: EventCompressor; maxDids?: number }): IngestPlugin {
  const { compressor, maxDids = 100_000 } = options;
  const handles = new Map<string, string>();
  const remember = (did: string, handle: string | undefined) => {
    handles.delete(did);
    if (handle === undefined) return;
    handles.set(did, handle);
    if (handles.size > maxDids) handles.delete(handles.keys().next().value as string);
  };
  return {
    name: 'with-handles',
    stage: 'sequenced',
    operator: map((event: LoggedEvent): LoggedEvent => {
      if (event.kind === 'identity') {
        const identity = (JSON.parse(utf8.decode(event.json)) as { identity: { handle?: string } }).identity;
        remember(event.did, identity.handle);
        return event;
      }
      const handle = event.kind === 'commit' ? handles.get(event.did) : undefined;
      if (handle === undefined) return event;
      const json = insertAfterDid(event.json, encoder.encode(`,"handle":${JSON.stringify(handle)}`));
      return { ...event, json, zstd: compressor.compress(json) };
    }),
  };
}

function insertAfterDid(json: Uint8Array, insert: Uint8Array): Uint8Array {
  const at = indexOf(json, AFTER_DID);
  if (at < 0) throw new Error('not a v1 event: no "time_us" after "did"');
  const out = new Uint8Array(json.length + insert.length);
  out.set(json.subarray(0, at));
  out.set(insert, at);
  out.set(json.subarray(at), at + insert.length);
  return out;
}

function indexOf(bytes: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(needle);
}
