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
 * An empty list means no filter of that kind.
 */
export function parseSubscriberFilter(
  wantedCollections: readonly string[],
  wantedDids: readonly string[],
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
  return { ok: true, filter: { wantedCollections: collections, wantedDids: dids } };
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
