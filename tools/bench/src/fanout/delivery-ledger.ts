import { eventFilter, type FilterFields, type SubscriberSpec } from './subscriber-mix.js';

/** One event the relay's frames of a step turn into, in server order. */
export interface LedgerEvent extends FilterFields {
  /** Identifies the event among its neighbours: see `eventKey`. */
  key: string;
  /** Index (within the step) of the relay frame it came from: its send time is that frame's. */
  frame: number;
}

/** What the subscribers of a step got, against what each was owed by its filter. */
export interface DeliverySummary {
  /** Events owed, summed over subscribers. */
  expected: number;
  /** Owed events received (each counted once). */
  delivered: number;
  /**
   * Owed events skipped: not received although a later event was (delivery is in order, so
   * these will never come).
   */
  lost: number;
  /** Subscribers that lost at least one event. */
  subscribersWithLoss: number;
  /** Owed events after the last one received: still on their way when the step ended. */
  late: number;
  /** Subscribers with late events. */
  subscribersBehind: number;
  /** Events received again by the same subscriber. */
  duplicates: number;
  /** Messages a subscriber was not owed, or that match no event of the step. */
  unexpected: number;
}

/**
 * The key a received event is matched by: `did rev collection/rkey` for a commit op (unique
 * within a repeated frame pool's period, the ledger disambiguates by position), `did kind time`
 * for identity and account events.
 */
export function eventKey(event: {
  did: string;
  kind: string;
  commit?: { rev: string; collection: string; rkey: string };
  identity?: { time: string };
  account?: { time: string };
}): string {
  if (event.commit) return `${event.did} ${event.commit.rev} ${event.commit.collection}/${event.commit.rkey}`;
  return `${event.did} ${event.kind} ${event.identity?.time ?? event.account?.time ?? ''}`;
}

/**
 * Exact loss accounting for many subscribers over one step: which events each subscriber is
 * owed (by its filter, `wantsEvent` / `eventFilter`), which it received (a bit per event), and from those the
 * losses, duplicates and unexpected messages. Keys may repeat (a looped frame pool), so a key is
 * looked up from where the subscriber last was: the server delivers in order.
 */
export class DeliveryLedger {
  readonly #events: readonly LedgerEvent[];
  /** Per subscriber: the owed-events bitmap of its filter (shared by equal filters). */
  readonly #owed: Uint8Array[];
  readonly #owedCount: number[];
  readonly #received: Uint8Array[];
  readonly #receivedCount: Int32Array;
  /** Per subscriber: the event index after the last one it received (where to look next). */
  readonly #next: Int32Array;
  /** Per subscriber: the highest event index it received; -1 before any. */
  readonly #furthest: Int32Array;
  readonly #totalOwed: number;
  #totalReceived = 0;
  #duplicates = 0;
  #unexpected = 0;

  constructor(events: readonly LedgerEvent[], specs: readonly SubscriberSpec[]) {
    this.#events = events;
    const byFilter = new Map<string, { bits: Uint8Array; count: number }>();
    this.#owed = [];
    this.#owedCount = [];
    // A DID filter is owed only events of its DIDs: look at those alone (found once, by DID).
    let eventsByDid: Map<string, number[]> | undefined;
    for (const spec of specs) {
      const signature = `${spec.wantedCollections.join(',')}|${spec.wantedDids.join(',')}`;
      let owed = byFilter.get(signature);
      if (!owed) {
        const bits = new Uint8Array((events.length + 7) >> 3);
        let count = 0;
        const wants = eventFilter(spec);
        const consider = (index: number): void => {
          if (!wants(events[index])) return;
          bits[index >> 3] |= 1 << (index & 7);
          count++;
        };
        if (spec.wantedDids.length > 0) {
          eventsByDid ??= indexByDid(events);
          for (const did of new Set(spec.wantedDids)) eventsByDid.get(did)?.forEach(consider);
        } else {
          for (let index = 0; index < events.length; index++) consider(index);
        }
        owed = { bits, count };
        byFilter.set(signature, owed);
      }
      this.#owed.push(owed.bits);
      this.#owedCount.push(owed.count);
    }
    this.#received = specs.map(() => new Uint8Array((events.length + 7) >> 3));
    this.#receivedCount = new Int32Array(specs.length);
    this.#next = new Int32Array(specs.length);
    this.#furthest = new Int32Array(specs.length).fill(-1);
    this.#totalOwed = this.#owedCount.reduce((sum, count) => sum + count, 0);
  }

  get events(): readonly LedgerEvent[] {
    return this.#events;
  }

  /** Owed events not received yet, over all subscribers (0 when everyone has everything). */
  get outstanding(): number {
    return this.#totalOwed - this.#totalReceived;
  }

  /**
   * The index of the event with `key` that `subscriber` most likely received: the first at or
   * after its last position, else the first before it; -1 when no event has that key.
   */
  locate(subscriber: number, key: string): number {
    const events = this.#events;
    const from = this.#next[subscriber];
    for (let index = from; index < events.length; index++) if (events[index].key === key) return index;
    for (let index = 0; index < from && index < events.length; index++)
      if (events[index].key === key) return index;
    return -1;
  }

  /** The index after the last event `subscriber` received (0 before any): where it is expected next. */
  nextIndex(subscriber: number): number {
    return this.#next[subscriber];
  }

  /** Records that `subscriber` received event `index` (-1: a message matching no event). */
  receive(subscriber: number, index: number): void {
    if (index < 0 || index >= this.#events.length) {
      this.#unexpected++;
      return;
    }
    this.#next[subscriber] = index + 1;
    if (index > this.#furthest[subscriber]) this.#furthest[subscriber] = index;
    const byte = index >> 3;
    const bit = 1 << (index & 7);
    if ((this.#owed[subscriber][byte] & bit) === 0) {
      this.#unexpected++;
      return;
    }
    const received = this.#received[subscriber];
    if (received[byte] & bit) {
      this.#duplicates++;
      return;
    }
    received[byte] |= bit;
    this.#receivedCount[subscriber]++;
    this.#totalReceived++;
  }

  summary(): DeliverySummary {
    let lost = 0;
    let subscribersWithLoss = 0;
    let late = 0;
    let subscribersBehind = 0;
    this.#owedCount.forEach((owed, subscriber) => {
      const owedSoFar = countBits(this.#owed[subscriber], this.#furthest[subscriber] + 1);
      const skipped = owedSoFar - this.#receivedCount[subscriber];
      lost += skipped;
      if (skipped > 0) subscribersWithLoss++;
      late += owed - owedSoFar;
      if (owed > owedSoFar) subscribersBehind++;
    });
    return {
      expected: this.#totalOwed,
      delivered: this.#totalReceived,
      lost,
      subscribersWithLoss,
      late,
      subscribersBehind,
      duplicates: this.#duplicates,
      unexpected: this.#unexpected,
    };
  }
}

function indexByDid(events: readonly LedgerEvent[]): Map<string, number[]> {
  const byDid = new Map<string, number[]>();
  events.forEach((event, index) => {
    const indices = byDid.get(event.did);
    if (indices) indices.push(index);
    else byDid.set(event.did, [index]);
  });
  return byDid;
}

/** Set bits among the first `length` bits of a bitmap. */
function countBits(bits: Uint8Array, length: number): number {
  let count = 0;
  const wholeBytes = length >> 3;
  for (let byte = 0; byte < wholeBytes; byte++) count += BITS_IN_BYTE[bits[byte]];
  if (length & 7) count += BITS_IN_BYTE[bits[wholeBytes] & ((1 << (length & 7)) - 1)];
  return count;
}

const BITS_IN_BYTE = Uint8Array.from({ length: 256 }, (_, byte) => {
  let count = 0;
  for (let rest = byte; rest > 0; rest >>= 1) count += rest & 1;
  return count;
});
