import { createV1Decompressor, type EventDecompressor } from '@jetstream-ts/compression';
import type { LoggedEvent } from '@jetstream-ts/models';
import { describeStoreFailure, openingStore } from './store-failure.js';
import { open, type Database, type DatabaseOptions, type RootDatabase } from 'lmdb';
import { CollectionTable } from './collection-table.js';
import { assertAppendable, type EventStore } from './event-store.js';
import { decodeStoredEvent, encodeStoredEvent } from './stored-event-codec.js';
import { StoredEvent } from './stored-event.js';
import { clampTimeUs, readTimeKey, writeTimeKey } from './time-key.js';

export interface LmdbEventStoreOptions {
  /** Directory of the lmdb environment; created if missing. */
  path: string;
  /** Turns stored zstd back into JSON when a reader asks for it. Default: the v1 dictionary. */
  decompressor?: EventDecompressor;
  /** Deletions per transaction when trimming, so that a large trim never holds one huge write. */
  trimChunkSize?: number;
  /** lmdb page size of a new store, in bytes. Default 16 KiB: events of ~300 bytes fill it to within 1%, against 6% slack with 4 KiB pages. */
  pageSize?: number;
}

/** Version of the value layout in `stored-event-codec.ts`; bump it when the layout changes. */
const STORE_FORMAT = 1;
const META_FORMAT = 'format';
const META_RELAY_CURSOR = 'relayCursor';
const META_HEAD_TIME_US = 'headTimeUs';

// Event keys: time_us as 8 bytes big-endian, written straight into lmdb's key buffer. Values
// are written as they are; read back, each is copied out of lmdb's shared read buffer with
// `Buffer.allocUnsafe`, whose small allocations share Node's pool, where `encoding: 'binary'`
// gives every value an ArrayBuffer of its own: ~300 bytes each, and one ArrayBuffer per event
// read was most of the extra garbage-collection work of a `--workers` process.
// (lmdb's typings omit `encoder` and `keyEncoder` on sub-databases and the put options object;
// all three are documented and supported, hence the two widened types.)
const eventsDatabaseOptions: DatabaseOptions & { encoder: object; keyEncoder: object } = {
  encoder: {
    encode: (value: Uint8Array) => value,
    // lmdb calls this with its reused read buffer and the value's size, and lets the decoder copy.
    decode: (shared: Uint8Array, size: number) => {
      const value = Buffer.allocUnsafe(size);
      value.set(shared.subarray(0, size));
      return value;
    },
  },
  keyEncoder: {
    writeKey: (timeUs: number, target: Uint8Array, start: number) => writeTimeKey(timeUs, target, start),
    readKey: (source: Uint8Array, start: number) => readTimeKey(source, start),
  },
};
type EventsDatabase = Database<Uint8Array, number> & {
  put(timeUs: number, value: Uint8Array, options: { append: boolean }): Promise<boolean>;
};

/**
 * Opens (or creates) the embedded event store at `options.path`: one lmdb environment holding
 * the events (key `time_us` 8-byte big-endian, value = filter fields + zstd bytes, see
 * `encodeStoredEvent`), the collection table, and the relay cursor with the head `time_us`.
 * An append is one lmdb transaction, so events and cursor survive a `kill -9` together.
 *
 * @example
 * import { openLmdbEventStore } from '@jetstream-ts/cursor-buffer';
 *
 * // events: LoggedEvent[]; relaySeqOfLastEvent: the relay seq they came from
 * const store = openLmdbEventStore({ path: 'data/events' });
 * await store.append(events, relaySeqOfLastEvent);
 * store.readFrom(0, 100);
 */
export function openLmdbEventStore(options: LmdbEventStoreOptions): EventStore {
  return new LmdbEventStore(options, false);
}

/** A read-only view of a store that another process writes (lmdb is multi-process: one writer, any number of readers). */
export interface EventStoreReader extends Pick<EventStore, 'readFrom' | 'headTimeUs' | 'oldestTimeUs' | 'relayCursor' | 'close'> {
  /**
   * Moves to the writer's latest commit: reads after this see every append that resolved in the
   * writer before it (a new lmdb read snapshot, the head and cursor re-read, new collections).
   */
  refresh(): void;
}

/**
 * Opens the store at `options.path` read-only, for a process that serves what another process
 * (the only writer) appends. The store must exist (the writer creates it). Reads see the
 * snapshot of the last {@link EventStoreReader.refresh}; call it when the writer says it committed.
 *
 * @example
 * import { openLmdbEventReader } from '@jetstream-ts/cursor-buffer';
 *
 * // lastSeen: the time_us this reader last read
 * const reader = openLmdbEventReader({ path: 'data/events' });
 * process.on('message', () => { reader.refresh(); reader.readFrom(lastSeen + 1, 1000); });
 *
 * @param options Path and decompressor (the write-side options do not apply).
 * @return The reader.
 */
export function openLmdbEventReader(options: Pick<LmdbEventStoreOptions, 'path' | 'decompressor'>): EventStoreReader {
  return new LmdbEventStore(options, true);
}

class LmdbEventStore implements EventStore, EventStoreReader {
  readonly #env: RootDatabase;
  readonly #path: string;
  readonly #events: EventsDatabase;
  readonly #collectionNames: Database<string, number>;
  readonly #meta: Database<number, string>;
  readonly #collections: CollectionTable;
  readonly #decompressor: EventDecompressor;
  readonly #trimChunkSize: number;
  #relayCursor: number | undefined;
  #headTimeUs: number;
  /** Head including appends still committing: the next append must go above it. */
  #acceptedHeadTimeUs: number;

  readonly #readOnly: boolean;

  constructor(options: LmdbEventStoreOptions, readOnly: boolean) {
    this.#path = options.path;
    this.#readOnly = readOnly;
    this.#env = openingStore(options.path, () => open(readOnly ? { path: options.path, readOnly } : { path: options.path, pageSize: options.pageSize ?? 16_384 }));
    this.#events = this.#env.openDB<Uint8Array, number>('events', eventsDatabaseOptions) as EventsDatabase;
    this.#collectionNames = this.#env.openDB<string, number>('collections', { keyEncoding: 'uint32', encoding: 'string' });
    this.#meta = this.#env.openDB<number, string>('meta', {});
    this.#decompressor = options.decompressor ?? createV1Decompressor();
    this.#trimChunkSize = options.trimChunkSize ?? 10_000;

    const format = this.#meta.get(META_FORMAT);
    if (format === undefined && readOnly) throw new Error(`no event store at ${options.path} (its writer creates it)`);
    if (format === undefined) this.#meta.putSync(META_FORMAT, STORE_FORMAT);
    else if (format !== STORE_FORMAT) {
      throw new Error(`event store at ${options.path} has format ${format}; this version reads format ${STORE_FORMAT}`);
    }
    this.#collections = new CollectionTable([...this.#collectionNames.getRange()].map(({ value }) => value));
    this.#relayCursor = this.#meta.get(META_RELAY_CURSOR);
    this.#headTimeUs = this.#meta.get(META_HEAD_TIME_US) ?? 0;
    this.#acceptedHeadTimeUs = this.#headTimeUs;
  }

  refresh(): void {
    this.#env.resetReadTxn();
    this.#relayCursor = this.#meta.get(META_RELAY_CURSOR);
    this.#headTimeUs = this.#meta.get(META_HEAD_TIME_US) ?? 0;
    this.#loadNewCollections();
  }

  #loadNewCollections(): void {
    // Ids are dense and only ever added, so the new names are the ones past those known.
    for (const { value } of this.#collectionNames.getRange({ start: this.#collections.size })) this.#collections.idOf(value);
    this.#collections.markPersisted(this.#collections.size);
  }

  async append(events: readonly LoggedEvent[], relayCursor: number): Promise<void> {
    if (this.#readOnly) throw new Error('this event store was opened read-only');
    assertAppendable(events, this.#acceptedHeadTimeUs);
    // Encode before the transaction, so its callback cannot fail halfway for a bad event.
    const values = events.map((event) =>
      encodeStoredEvent(event, event.kind === 'commit' ? this.#collections.idOf(event.collection) : -1),
    );
    const newCollections = this.#collections.unpersisted();
    const headTimeUs = events.length > 0 ? events[events.length - 1].time_us : this.#acceptedHeadTimeUs;
    this.#acceptedHeadTimeUs = headTimeUs;

    // A child transaction is abortable: if lmdb fails inside it, nothing of this batch remains.
    await this.#env
      .childTransaction(() => {
        // Each put's promise rejects too when the commit fails; the transaction's rejection reports it.
        const writes: Promise<unknown>[] = [];
        for (const [id, name] of newCollections) writes.push(this.#collectionNames.put(id, name));
        // MDB_APPEND: keys arrive in order, so pages fill completely instead of splitting in half.
        events.forEach((event, index) => writes.push(this.#events.put(event.time_us, values[index], { append: true })));
        writes.push(this.#meta.put(META_RELAY_CURSOR, relayCursor), this.#meta.put(META_HEAD_TIME_US, headTimeUs));
        for (const write of writes) write.catch(() => undefined);
      })
      .catch(async (error: unknown) => {
        throw await describeStoreFailure(error, this.#path, 'commit to');
      });
    this.#collections.markPersisted(newCollections.length > 0 ? newCollections[newCollections.length - 1][0] + 1 : 0);
    this.#relayCursor = relayCursor;
    this.#headTimeUs = Math.max(this.#headTimeUs, headTimeUs);
  }

  relayCursor(): number | undefined {
    return this.#relayCursor;
  }

  readFrom(fromTimeUs: number, limit: number): readonly LoggedEvent[] {
    const events: LoggedEvent[] = [];
    if (!(limit > 0)) return events;
    for (const { key, value } of this.#events.getRange({ start: clampTimeUs(fromTimeUs), limit })) {
      events.push(this.#toEvent(key, value));
    }
    return events;
  }

  headTimeUs(): number {
    return this.#headTimeUs;
  }

  oldestTimeUs(): number {
    for (const key of this.#events.getKeys({ start: 0, limit: 1 })) return key;
    return 0;
  }

  async trimOlderThan(timeUs: number): Promise<number> {
    if (this.#readOnly) throw new Error('this event store was opened read-only');
    const end = clampTimeUs(timeUs);
    let deleted = 0;
    for (;;) {
      const keys = [...this.#events.getKeys({ start: 0, end, limit: this.#trimChunkSize })];
      if (keys.length === 0) return deleted;
      await this.#env.transaction(() => keys.forEach((key) => this.#events.remove(key)));
      deleted += keys.length;
    }
  }

  close(): Promise<void> {
    return this.#env.close();
  }

  #toEvent(timeUs: number, value: Uint8Array): LoggedEvent {
    const fields = decodeStoredEvent(value);
    // A reader's lmdb snapshot can be newer than its last refresh(): the event's name was committed with it.
    if (fields.kind === 'commit' && fields.collectionId >= this.#collections.size) this.#loadNewCollections();
    const collection = fields.kind === 'commit' ? this.#collections.nameOf(fields.collectionId) : '';
    return new StoredEvent(timeUs, fields.relaySeq, fields.did, fields.kind, collection, fields.zstd, this.#decompressor);
  }
}
