/** What one benchmark subscriber asks the server for. */
export interface SubscriberSpec {
  /** zstd frames (v1 dictionary) instead of JSON text. */
  compress: boolean;
  /** Exact NSIDs; empty for every collection. */
  wantedCollections: readonly string[];
  /** Empty for every DID. */
  wantedDids: readonly string[];
}

/** The fields of an event a filter looks at. */
export interface FilterFields {
  did: string;
  kind: 'commit' | 'identity' | 'account';
  /** The commit's collection; '' for identity and account events. */
  collection: string;
}

/** The collection filters handed out in turn: the common ones a feed or a graph indexer asks for. */
export const COLLECTION_FILTERS: readonly (readonly string[])[] = [
  ['app.bsky.feed.post'],
  ['app.bsky.graph.follow', 'app.bsky.graph.block'],
  ['app.bsky.feed.repost', 'app.bsky.actor.profile'],
];

/** DIDs per DID-filtered subscriber. */
const DIDS_PER_FILTER = 10;

/**
 * The benchmark's subscriber mix, in a fixed order: of every 10 subscribers, 6 take every event
 * compressed (firehose consumers), 3 take JSON of one of `COLLECTION_FILTERS` (in turn), and 1
 * takes JSON of 10 DIDs (DID-filtered subscribers take consecutive slices of `dids`).
 *
 * @param count How many subscribers.
 * @param dids DIDs seen in the traffic, busiest first (so DID filters match something).
 * @return One spec per subscriber.
 */
export function subscriberMix(count: number, dids: readonly string[]): SubscriberSpec[] {
  const specs: SubscriberSpec[] = [];
  let collectionTurn = 0;
  let didTurn = 0;
  for (let index = 0; index < count; index++) {
    const slot = index % 10;
    if (slot < 6) {
      specs.push({ compress: true, wantedCollections: [], wantedDids: [] });
    } else if (slot < 9) {
      specs.push({
        compress: false,
        wantedCollections: COLLECTION_FILTERS[collectionTurn++ % COLLECTION_FILTERS.length],
        wantedDids: [],
      });
    } else {
      const start = (didTurn++ * DIDS_PER_FILTER) % Math.max(1, dids.length);
      specs.push({
        compress: false,
        wantedCollections: [],
        wantedDids: dids.slice(start, start + DIDS_PER_FILTER),
      });
    }
  }
  return specs;
}

/** The `/subscribe` query string for a spec, e.g. `?compress=true`. */
export function subscribeQuery(spec: SubscriberSpec): string {
  const params = new URLSearchParams();
  if (spec.compress) params.append('compress', 'true');
  for (const collection of spec.wantedCollections) params.append('wantedCollections', collection);
  for (const did of spec.wantedDids) params.append('wantedDids', did);
  const query = params.toString();
  return query === '' ? '' : `?${query}`;
}

/**
 * Whether a subscriber with this spec is owed the event, by v1's rules (written here from the
 * reference, not taken from the server's filter code): a DID filter applies to every event, a
 * collection filter only to commits.
 */
export function wantsEvent(spec: SubscriberSpec, event: FilterFields): boolean {
  return eventFilter(spec)(event);
}

/** `wantsEvent` for one spec, its lists turned into sets once: for many events. */
export function eventFilter(spec: SubscriberSpec): (event: FilterFields) => boolean {
  const dids = spec.wantedDids.length > 0 ? new Set(spec.wantedDids) : undefined;
  const collections = spec.wantedCollections.length > 0 ? new Set(spec.wantedCollections) : undefined;
  return (event) => {
    if (dids && !dids.has(event.did)) return false;
    if (collections && event.kind === 'commit') return collections.has(event.collection);
    return true;
  };
}
