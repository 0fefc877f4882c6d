import { parseSubscriberFilter, type SubscriberFilter } from './subscriber-filter.js';

export const ALICE = 'did:plc:aliceaaaaaaaaaaaaaaaaaaa';
export const BOB = 'did:plc:bobbbbbbbbbbbbbbbbbbbbbbb';

/** A filter from v1 option lists; throws (failing the test) when they do not validate. */
export function filterOf(wantedCollections: string[], wantedDids: string[] = []): SubscriberFilter {
  const result = parseSubscriberFilter(wantedCollections, wantedDids);
  if (!result.ok) throw new Error(result.error);
  return result.filter;
}
