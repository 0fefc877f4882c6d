import { isDid, isNsid, MAX_WANTED_COLLECTIONS, MAX_WANTED_DIDS, type EncodedEvent } from '@jetstream-ts/models';

/** The collections a subscriber asked for: full NSIDs, and prefixes from values ending in `.*`. */
export interface CollectionFilter {
  readonly exact: ReadonlySet<string>;
  /** `app.bsky.*` is stored as `app.bsky.`; duplicates are kept (v1 counts them). */
  readonly prefixes: readonly string[];
}

/** What a subscriber wants, as `wantedCollections` and `wantedDids` describe it. */
export interface SubscriberFilter {
  /** `null`: every collection. */
  readonly wantedCollections: CollectionFilter | null;
  /** Empty: every DID. */
  readonly wantedDids: ReadonlySet<string>;
}

/** The fields a filter looks at, already extracted from the event (nobody re-parses JSON). */
export type FilterableEvent = Pick<EncodedEvent, 'did' | 'collection'>;

export type SubscriberFilterResult = { ok: true; filter: SubscriberFilter } | { ok: false; error: string };

/** Limits beyond v1's counts; see {@link parseSubscriberFilter}. */
export interface FilterLimits {
  /** Bytes of distinct wanted DIDs plus wanted collections (prefixes as given); default 1 MiB. */
  maxFilterBytes?: number;
}

/** 1 MiB: 10,000 `did:plc` DIDs (320 KB) and 100 long collections fit; 10,000 DIDs of 2,048 bytes (v1's maximum, 20 MB) do not. */
export const DEFAULT_MAX_FILTER_BYTES = 1024 * 1024;

/** The filter that lets everything through. */
export const MATCH_ALL: SubscriberFilter = { wantedCollections: null, wantedDids: new Set() };

const INVALID_OPTIONS = 'invalid subscriber options';

/**
 * Validates `wantedCollections` and `wantedDids` as v1's `parseSubscriberOptions` does, in its
 * order and with its error texts (reference §5.2.6):
 * - a value ending in `.*` becomes a prefix, unvalidated; any other value must be an NSID,
 *   else `invalid subscriber options: invalid collection: <value>`;
 * - every DID must parse, else just `invalid subscriber options`;
 * - more than 10,000 distinct DIDs, then more than 100 collections (prefixes counted with
 *   duplicates, full NSIDs without), are errors.
 * An empty list means no filter of that kind. Beyond v1, a filter whose distinct DIDs and
 * collections add up to more than `maxFilterBytes` is refused with
 * `invalid subscriber options: filter too large: …`, so one subscriber's filter holds a bounded
 * amount of memory.
 *
 * @example
 * import { parseSubscriberFilter } from '@jetstream-ts/filtering';
 *
 * parseSubscriberFilter(['app.bsky.feed.post'], ['did:plc:ewvi7nxzyoun6zhxrhs64oiz']); // { ok: true, filter }
 */
export function parseSubscriberFilter(
  wantedCollections: readonly string[],
  wantedDids: readonly string[],
  limits: FilterLimits = {},
): SubscriberFilterResult {
  let collections: { exact: Set<string>; prefixes: string[] } | null = null;
  if (wantedCollections.length > 0) {
    collections = { exact: new Set(), prefixes: [] };
    for (const collection of wantedCollections) {
      if (collection.endsWith('.*')) collections.prefixes.push(collection.slice(0, -1));
      else if (isNsid(collection)) collections.exact.add(collection);
      else return { ok: false, error: `${INVALID_OPTIONS}: invalid collection: ${collection}` };
    }
  }
  const dids = new Set<string>();
  for (const did of wantedDids) {
    if (!isDid(did)) return { ok: false, error: INVALID_OPTIONS };
    dids.add(did);
  }
  if (dids.size > MAX_WANTED_DIDS) return { ok: false, error: `${INVALID_OPTIONS}: too many wanted DIDs` };
  if (collections && collections.prefixes.length + collections.exact.size > MAX_WANTED_COLLECTIONS) {
    return { ok: false, error: `${INVALID_OPTIONS}: too many wanted collections` };
  }
  const maxFilterBytes = limits.maxFilterBytes ?? DEFAULT_MAX_FILTER_BYTES;
  if (filterBytes(collections, dids) > maxFilterBytes) {
    return { ok: false, error: `${INVALID_OPTIONS}: filter too large: more than ${maxFilterBytes} bytes of wanted DIDs and collections` };
  }
  return { ok: true, filter: { wantedCollections: collections, wantedDids: dids } };
}

/** DIDs and NSIDs are validated ASCII, so their length is their size; prefixes are not validated. */
function filterBytes(collections: { exact: Set<string>; prefixes: string[] } | null, dids: Set<string>): number {
  let bytes = 0;
  for (const did of dids) bytes += did.length;
  for (const collection of collections?.exact ?? []) bytes += collection.length;
  for (const prefix of collections?.prefixes ?? []) bytes += Buffer.byteLength(prefix);
  return bytes;
}

/**
 * True when the subscriber wants the event (reference §5.5): the collection is wanted exactly
 * or by prefix, or there is no collection filter, or the event has no collection (identity and
 * account events, commits with an empty collection); and, when DIDs are given, the DID is one.
 */
export function matchesFilter(filter: SubscriberFilter, event: FilterableEvent): boolean {
  return wantsCollection(filter.wantedCollections, event.collection) && wantsDid(filter.wantedDids, event.did);
}

function wantsCollection(wanted: CollectionFilter | null, collection: string): boolean {
  if (wanted === null || collection === '' || wanted.exact.has(collection)) return true;
  return wanted.prefixes.some((prefix) => collection.startsWith(prefix));
}

function wantsDid(wanted: ReadonlySet<string>, did: string): boolean {
  return wanted.size === 0 || wanted.has(did);
}
