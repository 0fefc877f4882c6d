import { createV1Compressor } from '@jetstream-ts/compression';
import type { JetstreamEventKind, LoggedEvent } from '@jetstream-ts/models';

const compressor = createV1Compressor();
const utf8 = new TextEncoder();

export interface TestEventFields {
  relaySeq?: number;
  did?: string;
  kind?: JetstreamEventKind;
  collection?: string;
  /** The JSON text; default: a small v1-shaped event naming its time_us. */
  json?: string;
}

/** A LoggedEvent with real JSON and zstd (v1 dictionary) bytes. */
export function loggedEvent(timeUs: number, fields: TestEventFields = {}): LoggedEvent {
  const { relaySeq = timeUs, did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz', kind = 'commit' } = fields;
  const collection = fields.collection ?? (kind === 'commit' ? 'app.bsky.feed.like' : '');
  const json = utf8.encode(fields.json ?? `{"did":"${did}","time_us":${timeUs},"kind":"${kind}"}`);
  return { time_us: timeUs, relaySeq, did, kind, collection, json, zstd: compressor.compress(json) };
}

/** `count` events numbered `first`, `first + 1`, ... */
export function loggedEvents(first: number, count: number, fields: TestEventFields = {}): LoggedEvent[] {
  return Array.from({ length: count }, (_, index) => loggedEvent(first + index, fields));
}

/** The fields a reader sees, with the JSON as text (forcing lazy decompression). */
export function readable(event: LoggedEvent) {
  const { time_us, relaySeq, did, kind, collection } = event;
  return { time_us, relaySeq, did, kind, collection, json: new TextDecoder().decode(event.json) };
}
