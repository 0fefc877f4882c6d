import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import { matchesFilter, type FilterableEvent, type SubscriberFilter } from './subscriber-filter.js';

/**
 * Keeps the events a subscriber's `wantedCollections` / `wantedDids` ask for.
 *
 * Matches on the fields extracted once per event (`did`, `collection`), never on the JSON:
 * collections exactly or by `prefix.*`, identity and account events past any collection filter
 * but not past a DID filter, exactly as v1 (reference §5.5). Pass a function to read the
 * current filter per event, so that a filter replaced by `options_update` applies from the next
 * event on.
 *
 * @example
 * const result = parseSubscriberFilter(['app.bsky.feed.*'], []);
 * if (result.ok) events$.pipe(filterEvents(result.filter)).subscribe(send);
 *
 * @see matchesFilter
 * @param subscriberFilter The filter, or a function returning the filter in force.
 * @return An operator that drops the events the filter does not want.
 */
export function filterEvents<T extends FilterableEvent>(
  subscriberFilter: SubscriberFilter | (() => SubscriberFilter),
): MonoTypeOperatorFunction<T> {
  const current = typeof subscriberFilter === 'function' ? subscriberFilter : () => subscriberFilter;
  return filter((event) => matchesFilter(current(), event));
}
