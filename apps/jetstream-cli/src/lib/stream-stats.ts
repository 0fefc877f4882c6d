import type { JetstreamMessage } from '@jetstream-ts/client';

/** Rates over the last interval, as the stats view shows them. */
export interface StatsSnapshot {
  eventsPerSecond: number;
  bytesPerSecond: number;
  /** Wall clock minus the last event's time_us, in ms; undefined before the first event. */
  lagMs: number | undefined;
  reconnects: number;
  totalEvents: number;
  totalBytes: number;
  /** Events/s by collection (identity and account events under their kind), highest first. */
  collections: { name: string; perSecond: number }[];
}

/**
 * Counts a stream for `jetstream stats`: call `record` per message and `snapshot` once per
 * interval; rates are over the time since the previous snapshot.
 */
export class StreamStats {
  private totalEvents = 0;
  private totalBytes = 0;
  private intervalEvents = 0;
  private intervalBytes = 0;
  private intervalCollections = new Map<string, number>();
  private lastTimeUs: number | undefined;
  private reconnects = 0;

  constructor(private intervalStart: number) {}

  record({ event, wireBytes }: JetstreamMessage): void {
    this.totalEvents++;
    this.intervalEvents++;
    this.totalBytes += wireBytes;
    this.intervalBytes += wireBytes;
    const name = event.kind === 'commit' ? event.commit.collection : `(${event.kind})`;
    this.intervalCollections.set(name, (this.intervalCollections.get(name) ?? 0) + 1);
    this.lastTimeUs = event.time_us;
  }

  reconnected(): void {
    this.reconnects++;
  }

  snapshot(now: number): StatsSnapshot {
    const seconds = Math.max(now - this.intervalStart, 1) / 1000;
    const collections = [...this.intervalCollections]
      .map(([name, count]) => ({ name, perSecond: count / seconds }))
      .sort((a, b) => b.perSecond - a.perSecond || (a.name < b.name ? -1 : 1));
    const snapshot: StatsSnapshot = {
      eventsPerSecond: this.intervalEvents / seconds,
      bytesPerSecond: this.intervalBytes / seconds,
      lagMs: this.lastTimeUs === undefined ? undefined : now - this.lastTimeUs / 1000,
      reconnects: this.reconnects,
      totalEvents: this.totalEvents,
      totalBytes: this.totalBytes,
      collections,
    };
    this.intervalStart = now;
    this.intervalEvents = 0;
    this.intervalBytes = 0;
    this.intervalCollections = new Map();
    return snapshot;
  }
}

function rate(perSecond: number): string {
  return perSecond >= 100 ? String(Math.round(perSecond)) : perSecond.toFixed(1);
}

function bytes(count: number): string {
  if (count < 1024) return `${Math.round(count)} B`;
  if (count < 1024 * 1024) return `${(count / 1024).toFixed(1)} KB`;
  return `${(count / 1024 / 1024).toFixed(1)} MB`;
}

function lag(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The terminal view: a summary line and the top collections, one per line.
 *
 * @example
 * renderStats(snapshot, 3);
 * // ['events/s 2014 | bytes/s 1.1 MB | lag 35 ms | reconnects 0 | total 40280 events, 22.4 MB', '  app.bsky.feed.like  1390', ...]
 */
export function renderStats(snapshot: StatsSnapshot, topCollections: number): string[] {
  const summary =
    `events/s ${rate(snapshot.eventsPerSecond)} | bytes/s ${bytes(snapshot.bytesPerSecond)} | lag ${lag(snapshot.lagMs)}` +
    ` | reconnects ${snapshot.reconnects} | total ${snapshot.totalEvents} events, ${bytes(snapshot.totalBytes)}`;
  const shown = snapshot.collections.slice(0, topCollections);
  const width = Math.max(0, ...shown.map(({ name }) => name.length));
  return [summary, ...shown.map(({ name, perSecond }) => `  ${name.padEnd(width)}  ${rate(perSecond)}`)];
}

/** The same snapshot as one line, for pipes and logs: the summary, then `collection rate` pairs. */
export function statsLine(snapshot: StatsSnapshot, topCollections: number): string {
  const [summary, ...collections] = renderStats(snapshot, topCollections);
  return collections.length === 0 ? summary! : `${summary} | ${collections.map((line) => line.trim().replace(/\s+/, ' ')).join(', ')}`;
}
