import { Subject } from 'rxjs';
import { createV1Compressor } from '@jetstream-ts/compression';
import type { EventLog, JetstreamEventKind, LoggedEvent } from '@jetstream-ts/models';

/** An in-memory `EventLog` for tests: append in `time_us` order, trim for retention. */
export class MemoryEventLog implements EventLog {
  readonly events: LoggedEvent[] = [];
  readonly appended = new Subject<number>();

  append(...events: LoggedEvent[]): void {
    this.events.push(...events);
    this.appended.next(this.headTimeUs());
  }

  /** Drops every event older than `timeUs`, as a TTL sweep would. */
  trimBefore(timeUs: number): void {
    this.events.splice(0, this.indexOf(timeUs));
  }

  readFrom(fromTimeUs: number, limit: number): readonly LoggedEvent[] {
    const first = this.indexOf(fromTimeUs);
    return this.events.slice(first, first + limit);
  }

  headTimeUs(): number {
    return this.events.at(-1)?.time_us ?? 0;
  }

  oldestTimeUs(): number {
    return this.events[0]?.time_us ?? 0;
  }

  private indexOf(timeUs: number): number {
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.events[middle] as LoggedEvent).time_us < timeUs) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

export interface TestEventFields {
  did?: string;
  kind?: JetstreamEventKind;
  collection?: string;
  /** Characters of filler in the record, to make big events. */
  padding?: number;
}

export const ALICE = 'did:plc:aliceaaaaaaaaaaaaaaaaaaa';
export const BOB = 'did:plc:bobbbbbbbbbbbbbbbbbbbbbbb';
export const POST = 'app.bsky.feed.post';
export const LIKE = 'app.bsky.feed.like';
export const FOLLOW = 'app.bsky.graph.follow';

/** Makes v1-shaped events with their JSON and their zstd frame (v1 dictionary), one compressor shared. */
export function createEventFactory(): (timeUs: number, fields?: TestEventFields) => LoggedEvent {
  const compressor = createV1Compressor();
  const encoder = new TextEncoder();
  return (timeUs, { did = ALICE, kind = 'commit', collection = POST, padding = 0 } = {}) => {
    const body =
      kind === 'commit'
        ? {
            commit: {
              rev: '3lbzmaa2bbk2a',
              operation: 'create',
              collection,
              rkey: `r${timeUs}`,
              record: { $type: collection, createdAt: '2026-07-01T00:00:00.000Z', text: 'x'.repeat(padding) },
              cid: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
            },
          }
        : { [kind]: { did, seq: timeUs, time: '2026-07-01T00:00:00.000Z' } };
    const json = encoder.encode(JSON.stringify({ did, time_us: timeUs, kind, ...body }));
    return {
      time_us: timeUs,
      relaySeq: timeUs,
      did,
      kind,
      collection: kind === 'commit' ? collection : '',
      json,
      zstd: compressor.compress(json),
    };
  };
}
