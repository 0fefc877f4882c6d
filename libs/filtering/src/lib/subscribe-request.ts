import { parseGoInt64, parseMaxMessageSizeBytes } from './max-message-size.js';
import { parseGoQuery, rawQueryOf } from './go-query.js';
import { parseSubscriberFilter, type FilterLimits, type SubscriberFilter } from './subscriber-filter.js';

/** A subscriber's options for one connection, as the `/subscribe` request set them. */
export interface SubscriberOptions {
  readonly filter: SubscriberFilter;
  /** 0: no limit. Compared with the bytes sent (the zstd frame for compressed subscribers). */
  readonly maxMessageSizeBytes: number;
  /** Send nothing until the first valid `options_update`. */
  readonly requireHello: boolean;
  /** Binary zstd frames (v1 dictionary) instead of JSON text. */
  readonly compress: boolean;
  /** Inclusive `time_us` to replay from; `undefined` for the live tail. */
  readonly cursor: number | undefined;
}

/** Request headers keyed by lower-case name, as Node gives them (`req.headersDistinct` is best). */
export type SubscribeRequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export type SubscribeRequestResult =
  | { ok: true; options: SubscriberOptions }
  | { ok: false; status: 400; message: string };

export interface ParseSubscribeRequestOptions extends FilterLimits {
  /** The current Unix time in µs; a later cursor means the live tail. Defaults to the wall clock. */
  nowUs?: () => number;
}

/**
 * Reads a `/subscribe` request as v1 does before the websocket upgrade (reference §5.2), in
 * v1's order: repeated `wantedCollections` / `wantedDids` (empty values count, lists are not
 * split on commas), `maxMessageSizeBytes` (wrapping to uint32), `requireHello` (exactly
 * `true`), compression (`Socket-Encoding` containing `zstd`, or `compress=true`), `cursor`
 * (int64, else `invalid cursor: <raw>`; later than now means live), then the filter validation.
 * A failure is an HTTP 400 whose text/plain body is `message`.
 *
 * @param url The request target (`req.url`) or a `URL`.
 * @param headers The request headers; only `socket-encoding` is read (its first value, as Go).
 */
export function parseSubscribeRequest(
  url: URL | string,
  headers: SubscribeRequestHeaders,
  options: ParseSubscribeRequestOptions = {},
): SubscribeRequestResult {
  const query = parseGoQuery(rawQueryOf(url));
  const first = (name: string): string => query.get(name)?.[0] ?? '';
  const wantedCollections = query.get('wantedCollections') ?? [];
  const wantedDids = query.get('wantedDids') ?? [];
  const maxMessageSizeBytes = parseMaxMessageSizeBytes(first('maxMessageSizeBytes'));
  const requireHello = first('requireHello') === 'true';
  const compress = firstHeader(headers['socket-encoding']).includes('zstd') || first('compress') === 'true';

  let cursor: number | undefined;
  const rawCursor = first('cursor');
  if (rawCursor !== '') {
    const parsed = parseGoInt64(rawCursor);
    if (parsed === undefined) return { ok: false, status: 400, message: `invalid cursor: ${rawCursor}` };
    const nowUs = options.nowUs?.() ?? Date.now() * 1000;
    cursor = parsed > BigInt(Math.floor(nowUs)) ? undefined : Number(parsed);
  }

  const filter = parseSubscriberFilter(wantedCollections, wantedDids, options);
  if (!filter.ok) return { ok: false, status: 400, message: filter.error };
  return { ok: true, options: { filter: filter.filter, maxMessageSizeBytes, requireHello, compress, cursor } };
}

function firstHeader(value: string | readonly string[] | undefined): string {
  return (typeof value === 'string' ? value : value?.[0]) ?? '';
}
