import type { JetstreamEventKind, LoggedEvent } from '@jetstream-ts/models';
import { headers, type MsgHdrs } from '@nats-io/nats-core';

/** Header names of an event message; the payload is the event's zstd bytes (v1 dictionary), as the store keeps them. */
export const EVENT_HEADERS = Object.freeze({
  timeUs: 'Jetstream-Time-Us',
  did: 'Jetstream-Did',
  kind: 'Jetstream-Kind',
  /** Commits only. */
  collection: 'Jetstream-Collection',
  /** Seq of the relay frame the event came from. */
  relaySeq: 'Jetstream-Relay-Seq',
  /** Index of the event among its frame's events (a commit with 3 ops gives 0, 1, 2). */
  op: 'Jetstream-Op',
  /** On the last event of an append only: the relay cursor committed with it (every frame up to it is complete). */
  relayCursor: 'Jetstream-Relay-Cursor',
});

/** The fields an event message carries in its headers. */
export interface EventMessageFields {
  time_us: number;
  did: string;
  kind: JetstreamEventKind;
  collection: string;
  relaySeq: number;
  op: number;
  relayCursor: number | undefined;
}

const KINDS: ReadonlySet<string> = new Set<JetstreamEventKind>(['commit', 'identity', 'account']);

/**
 * The de-duplication id of an event: its frame's relay seq and its index in the frame. Unlike
 * `time_us` (assigned from the clock above the head), a frame re-read after a crash gives the
 * very same ids, so JetStream drops what was already stored.
 */
export function eventMessageId(relaySeq: number, op: number): string {
  return `${relaySeq}:${op}`;
}

/** The headers of one event message; the last of an append also gets {@link EVENT_HEADERS.relayCursor}. */
export function encodeEventHeaders(event: LoggedEvent, op: number): MsgHdrs {
  const hdrs = headers();
  hdrs.set(EVENT_HEADERS.timeUs, String(event.time_us));
  hdrs.set(EVENT_HEADERS.did, event.did);
  hdrs.set(EVENT_HEADERS.kind, event.kind);
  if (event.kind === 'commit') hdrs.set(EVENT_HEADERS.collection, event.collection);
  hdrs.set(EVENT_HEADERS.relaySeq, String(event.relaySeq));
  hdrs.set(EVENT_HEADERS.op, String(op));
  return hdrs;
}

/**
 * Reads the headers written by {@link encodeEventHeaders}.
 *
 * @return The fields, or a string saying what is missing or malformed (a message not written by the publisher).
 */
export function decodeEventHeaders(hdrs: MsgHdrs | undefined): EventMessageFields | string {
  if (hdrs === undefined) return 'no headers';
  const time_us = integerHeader(hdrs, EVENT_HEADERS.timeUs);
  const relaySeq = integerHeader(hdrs, EVENT_HEADERS.relaySeq);
  const op = integerHeader(hdrs, EVENT_HEADERS.op);
  const did = hdrs.get(EVENT_HEADERS.did);
  const kind = hdrs.get(EVENT_HEADERS.kind);
  if (time_us === undefined || time_us <= 0) return `bad ${EVENT_HEADERS.timeUs}`;
  if (relaySeq === undefined || op === undefined) return `bad ${EVENT_HEADERS.relaySeq} or ${EVENT_HEADERS.op}`;
  if (did === '' || !KINDS.has(kind)) return `bad ${EVENT_HEADERS.did} or ${EVENT_HEADERS.kind}`;
  const collection = kind === 'commit' ? hdrs.get(EVENT_HEADERS.collection) : '';
  if (kind === 'commit' && collection === '') return `commit without ${EVENT_HEADERS.collection}`;
  const relayCursor = hdrs.has(EVENT_HEADERS.relayCursor) ? integerHeader(hdrs, EVENT_HEADERS.relayCursor) : undefined;
  return { time_us, did, kind: kind as JetstreamEventKind, collection, relaySeq, op, relayCursor };
}

function integerHeader(hdrs: MsgHdrs, name: string): number | undefined {
  const text = hdrs.get(name);
  if (!/^(0|[1-9][0-9]*)$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}
